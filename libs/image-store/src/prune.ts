import { createdBeforeUntil, danglingFilter, labelsMatch, parseFilterArgs, PRUNE_FILTERS } from './filters';
import type { ImageRecord } from './metadata-store';

export interface PruneSelection {
  // Every image no container uses, not only untagged ones (docker image prune -a).
  all: boolean;
  inUse: readonly string[];
  filters: readonly string[];
  now: number;
}

// The images docker image prune would remove: never one a container uses; untagged ones only
// unless `all` (or dangling=false); then until= and label filters.
export function pruneCandidates(images: readonly ImageRecord[], tagsOf: (id: string) => string[], selection: PruneSelection): ImageRecord[] {
  const args = parseFilterArgs(selection.filters, PRUNE_FILTERS);
  const danglingOnly = danglingFilter(args) ?? !selection.all;
  const inUse = new Set(selection.inUse);
  return images.filter(
    (record) =>
      !inUse.has(record.id) &&
      (!danglingOnly || tagsOf(record.id).length === 0) &&
      createdBeforeUntil(args, record, selection.now) &&
      labelsMatch(args, record.config.config?.Labels ?? {}),
  );
}
