import type { FilterArgs } from './filters';
import { createdAt, danglingFilter, labelsMatch, tagsMatchingReference } from './filters';
import type { ImageRecord } from './metadata-store';

export interface ListedImage {
  record: ImageRecord;
  // The tags to show: all of them, or those a reference filter matched.
  tags: string[];
}

export interface ListingSource {
  images(): ImageRecord[];
  tagsOf(id: string): string[];
  // Resolves before=/since= values as every other command resolves an image.
  resolve(ref: string): ImageRecord;
}

// docker images' filters: dangling, reference (which also hides the tags it does not match),
// before/since (created strictly earlier/later than the named image) and label.
export function filterImages(source: ListingSource, args: FilterArgs): ListedImage[] {
  const dangling = danglingFilter(args);
  const before = (args.get('before') ?? []).map((ref) => createdAt(source.resolve(ref)));
  const since = (args.get('since') ?? []).map((ref) => createdAt(source.resolve(ref)));
  const listed: ListedImage[] = [];
  for (const record of source.images()) {
    const allTags = source.tagsOf(record.id);
    if (dangling !== undefined && dangling !== (allTags.length === 0)) continue;
    if (before.some((limit) => createdAt(record) >= limit)) continue;
    if (since.some((limit) => createdAt(record) <= limit)) continue;
    if (!labelsMatch(args, record.config.config?.Labels ?? {})) continue;
    const tags = tagsMatchingReference(args, allTags);
    if (args.has('reference') && tags.length === 0) continue;
    listed.push({ record, tags });
  }
  return listed.sort((a, b) => createdAt(b.record) - createdAt(a.record));
}
