import { parseManifest } from './manifest-parse';
import { formatDigest, parseDigest, type Digest } from './names';
import { blobPath, layerLinkPath, referrersPath, repoPath, REPOSITORIES, revisionPath, tagLinkPath, tagsPath } from './paths';
import { type StorageDriver } from './storage/driver';

export interface GcOptions {
  // Nothing written or re-linked more recently than this is deleted (see the README's reasoning).
  graceMs: number;
  now?: Date;
}

export interface GcReport {
  manifests: number;
  layerLinks: number;
  blobs: number;
  bytes: number;
}

export interface RepositoryUsage {
  name: string;
  tags: number;
  manifests: number;
  blobs: number;
  // Bytes of the blobs and manifests linked into the repository; blobs shared with other
  // repositories count in each of them.
  bytes: number;
}

const ALGORITHMS = ['sha256', 'sha512'];

// Every repository's name, sorted (a repository has _manifests or _layers).
export async function listRepositories(driver: StorageDriver, prefix = ''): Promise<string[]> {
  const children = await driver.list(prefix ? `${REPOSITORIES}/${prefix}` : REPOSITORIES);
  const out: string[] = [];
  if (prefix && (children.includes('_manifests') || children.includes('_layers'))) out.push(prefix);
  for (const child of children) if (!child.startsWith('_')) out.push(...(await listRepositories(driver, prefix ? `${prefix}/${child}` : child)));
  return out.sort();
}

// Digests under a `<alg>/<hex>` directory tree (revisions, layer links).
async function digestsUnder(driver: StorageDriver, dir: string): Promise<Digest[]> {
  const out: Digest[] = [];
  for (const algorithm of await driver.list(dir)) {
    if (!ALGORITHMS.includes(algorithm)) continue;
    for (const hex of await driver.list(`${dir}/${algorithm}`)) {
      try {
        out.push(parseDigest(`${algorithm}:${hex}`));
      } catch {
        // not a digest: ignore
      }
    }
  }
  return out;
}

const isOld = async (driver: StorageDriver, path: string, cutoff: number): Promise<boolean> => {
  const info = await driver.stat(path);
  return info !== undefined && info.modifiedAt.getTime() < cutoff;
};

interface Marked {
  manifests: Set<string>;
  blobs: Set<string>;
}

// Marks what a repository still needs: manifests reachable from its tags, from manifests younger
// than the grace period (an index's children and digest-only pushes arrive before any tag), and
// from referrers of those; and every blob those manifests reference.
async function mark(driver: StorageDriver, name: string, cutoff: number): Promise<Marked> {
  const marked: Marked = { manifests: new Set(), blobs: new Set() };
  const queue: Digest[] = [];
  for (const tag of await driver.list(tagsPath(name))) {
    const link = await driver.getContent(tagLinkPath(name, tag));
    if (link) queue.push(parseDigest(link.toString('utf8')));
  }
  for (const d of await digestsUnder(driver, `${repoPath(name)}/_manifests/revisions`)) {
    if (!(await isOld(driver, revisionPath(name, d), cutoff))) queue.push(d);
  }
  while (queue.length > 0) {
    const digest = queue.pop()!;
    const key = formatDigest(digest);
    if (marked.manifests.has(key)) continue;
    const revision = await driver.getContent(revisionPath(name, digest));
    const bytes = await driver.getContent(blobPath(digest));
    if (!revision || !bytes) continue;
    marked.manifests.add(key);
    const { mediaType } = JSON.parse(revision.toString('utf8')) as { mediaType: string };
    try {
      const parsed = parseManifest(bytes, mediaType);
      for (const blob of parsed.blobs) marked.blobs.add(formatDigest(blob));
      queue.push(...parsed.manifests);
    } catch {
      // Stored manifests were validated when pushed; an unparsable one keeps only itself.
    }
    for (const entry of await driver.list(referrersPath(name, digest))) {
      const dash = entry.indexOf('-');
      queue.push(parseDigest(`${entry.slice(0, dash)}:${entry.slice(dash + 1)}`));
    }
  }
  return marked;
}

/*
 * Online mark-and-sweep. Per repository: untagged manifests no tag, index or kept referrer
 * reaches, and layer links no kept manifest uses, are removed once older than the grace period;
 * then blobs no repository links or keeps, also older than the grace period. A push in flight
 * has written its blobs (and links) and child manifests within the grace period, so nothing it
 * needs is old enough to go; a manifest PUT re-writes the links of the blobs it references
 * before checking them, so a push reusing old blobs makes them young again.
 */
export async function collectGarbage(driver: StorageDriver, options: GcOptions): Promise<GcReport> {
  const cutoff = (options.now ?? new Date()).getTime() - options.graceMs;
  const report: GcReport = { manifests: 0, layerLinks: 0, blobs: 0, bytes: 0 };
  // Blob candidates are listed before marking, so a blob linked while marking runs is seen linked.
  const candidates: Digest[] = [];
  for (const algorithm of await driver.list('blobs')) {
    if (!ALGORITHMS.includes(algorithm)) continue;
    for (const prefix of await driver.list(`blobs/${algorithm}`)) {
      for (const hex of await driver.list(`blobs/${algorithm}/${prefix}`)) {
        try {
          const digest = parseDigest(`${algorithm}:${hex}`);
          if (await isOld(driver, blobPath(digest), cutoff)) candidates.push(digest);
        } catch {
          // not a digest: ignore
        }
      }
    }
  }
  const keep = new Set<string>();
  for (const name of await listRepositories(driver)) {
    const marked = await mark(driver, name, cutoff);
    for (const d of await digestsUnder(driver, `${repoPath(name)}/_manifests/revisions`)) {
      const key = formatDigest(d);
      if (marked.manifests.has(key)) keep.add(key);
      else if (await isOld(driver, revisionPath(name, d), cutoff)) {
        await driver.delete(revisionPath(name, d).replace(/\/link$/, ''));
        report.manifests += 1;
      } else keep.add(key);
    }
    for (const d of await digestsUnder(driver, `${repoPath(name)}/_layers`)) {
      const key = formatDigest(d);
      if (!marked.blobs.has(key) && (await isOld(driver, layerLinkPath(name, d), cutoff))) {
        await driver.delete(layerLinkPath(name, d).replace(/\/link$/, ''));
        report.layerLinks += 1;
      } else keep.add(key);
    }
    for (const key of marked.blobs) keep.add(key);
  }
  for (const digest of candidates) {
    if (keep.has(formatDigest(digest)) || !(await isOld(driver, blobPath(digest), cutoff))) continue;
    report.bytes += (await driver.stat(blobPath(digest)))?.size ?? 0;
    await driver.delete(blobPath(digest).replace(/\/data$/, ''));
    report.blobs += 1;
  }
  return report;
}

export async function storageUsage(driver: StorageDriver): Promise<RepositoryUsage[]> {
  const out: RepositoryUsage[] = [];
  for (const name of await listRepositories(driver)) {
    const manifests = await digestsUnder(driver, `${repoPath(name)}/_manifests/revisions`);
    const layers = await digestsUnder(driver, `${repoPath(name)}/_layers`);
    let bytes = 0;
    for (const d of [...manifests, ...layers]) bytes += (await driver.stat(blobPath(d)))?.size ?? 0;
    out.push({ name, tags: (await driver.list(tagsPath(name))).length, manifests: manifests.length, blobs: layers.length, bytes });
  }
  return out;
}
