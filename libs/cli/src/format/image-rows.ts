import type { types } from '@berth/proto';
import { timeAgo } from './duration';
import { goTimeString } from './go-time';
import { splitRepoTag } from './repo-tag';
import { humanSize } from './size';
import { shortId } from './truncate';

export type ImageRow = Record<string, string>;

// docker images' rows: one per repository and tag (per digest too with --digests), digests left
// without a tag on their own rows, one <none> row for an untagged image.
export function imageRows(image: types.Image, options: { truncate: boolean; digests: boolean; now: number }): ImageRow[] {
  const row = (repository: string, tag: string, digest: string): ImageRow => ({
    Containers: 'N/A',
    CreatedAt: goTimeString(image.created),
    CreatedSince: timeAgo(image.created, options.now),
    Digest: digest,
    ID: options.truncate ? shortId(image.id) : image.id,
    Repository: repository,
    SharedSize: 'N/A',
    Size: humanSize(image.size),
    Tag: tag,
    UniqueSize: 'N/A',
    VirtualSize: humanSize(image.size, 4),
  });
  if (image.repoTags.length === 0 && image.repoDigests.length === 0) return [row('<none>', '<none>', '<none>')];
  const digestsByRepo = new Map<string, string[]>();
  for (const ref of image.repoDigests) {
    const at = ref.indexOf('@');
    if (at < 0) continue;
    const repo = ref.slice(0, at);
    digestsByRepo.set(repo, [...(digestsByRepo.get(repo) ?? []), ref.slice(at + 1)]);
  }
  const rows: ImageRow[] = [];
  for (const { repository, tag } of image.repoTags.map(splitRepoTag)) {
    const digests = options.digests ? (digestsByRepo.get(repository) ?? []) : [];
    if (digests.length === 0) rows.push(row(repository, tag || '<none>', '<none>'));
    for (const digest of digests) rows.push(row(repository, tag || '<none>', digest));
  }
  const tagged = new Set(image.repoTags.map((t) => splitRepoTag(t).repository));
  for (const [repository, digests] of digestsByRepo) {
    if (tagged.has(repository)) continue;
    if (options.digests) for (const digest of digests) rows.push(row(repository, '<none>', digest));
    else rows.push(row(repository, '<none>', '<none>'));
  }
  return rows;
}
