import type { types } from '@berth/proto';
import { parseTime, timeAgo } from './duration';
import { humanSize } from './size';
import { ellipsis, shortId } from './truncate';

export type HistoryRow = Record<string, string>;

export interface HistoryOptions {
  human: boolean;
  truncate: boolean;
  now: number;
}

// Go's time.Format(time.RFC3339) in UTC: whole seconds.
function rfc3339(created: string): string {
  const ms = parseTime(created);
  return ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

// docker history's rows, newest first: the config's history entries, each non-empty one sized by
// the layer it made (layers in order), the image's ID on the newest row and <missing> below it.
export function historyRows(image: types.Image, options: HistoryOptions): HistoryRow[] {
  let layer = 0;
  const sized = image.history.map((entry) => {
    const size = entry.emptyLayer ? 0 : (image.layerSizes[layer] ?? 0);
    if (!entry.emptyLayer) layer += 1;
    return { entry, size };
  });
  return sized.reverse().map(({ entry, size }, index) => {
    const id = index === 0 ? (options.truncate ? shortId(image.id) : image.id) : '<missing>';
    const createdBy = entry.createdBy.replaceAll('\t', ' ');
    return {
      Comment: entry.comment,
      CreatedAt: rfc3339(entry.created),
      CreatedBy: options.truncate ? ellipsis(createdBy, 45) : createdBy,
      CreatedSince: options.human ? timeAgo(entry.created, options.now) : rfc3339(entry.created),
      ID: id,
      Size: options.human ? humanSize(size) : String(size),
    };
  });
}
