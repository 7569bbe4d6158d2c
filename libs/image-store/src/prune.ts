import { createdAt, danglingFilter, labelsMatch, parseFilterArgs, parseUntil, PRUNE_FILTERS } from './filters';
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
  // Parsed up front, so a bad value is refused even when no image is left to compare.
  const until = (args.get('until') ?? []).map((value) => parseUntil(value, selection.now));
  return images.filter(
    (record) =>
      !inUse.has(record.id) &&
      (!danglingOnly || tagsOf(record.id).length === 0) &&
      until.every((limit) => createdAt(record) < limit) &&
      labelsMatch(args, record.config.config?.Labels ?? {}),
  );
}
