import { BerthError, ErrorCode, invalidArgument } from '@berth/errors';
import { BlobService, digestOfBytes, type BlobLimits } from './blobs';
import { parseManifest, type Descriptor } from './manifest-parse';
import { checkName, checkTag, formatDigest, isDigest, parseDigest, type Digest } from './names';
import { referrerPath, referrersPath, repoPath, REPOSITORIES, revisionPath, tagLinkPath, tagPath, tagsPath } from './paths';
import { type StorageDriver } from './storage/driver';

export interface RegistryOptions extends BlobLimits {
  // The largest manifest accepted (bytes); the spec suggests 4 MiB.
  maxManifestSize: number;
  // The most entries one tags or catalog page returns, whatever `n` asks for.
  maxPageSize: number;
}

export const defaultRegistryOptions: RegistryOptions = {
  maxBlobSize: 64 * 1024 ** 3,
  maxManifestSize: 4 * 1024 ** 2,
  maxPageSize: 1000,
};

export interface StoredManifest {
  digest: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
}

// What a repository's revision link records about a manifest.
interface Revision {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Page<T> {
  items: T[];
  // The last item, when more follow (for the Link header).
  next?: string;
}

/*
 * The registry's operations, on a StorageDriver only: a Registry object holds no state that
 * another process serving the same storage could not see (the upload hash cache checks itself
 * against storage).
 */
export class Registry {
  readonly blobs: BlobService;
  readonly options: RegistryOptions;

  constructor(
    readonly driver: StorageDriver,
    options: Partial<RegistryOptions> = {},
  ) {
    this.options = { ...defaultRegistryOptions, ...options };
    this.blobs = new BlobService(driver, this.options);
  }

  async repositoryExists(name: string): Promise<boolean> {
    const children = await this.driver.list(repoPath(name));
    return children.includes('_manifests') || children.includes('_layers');
  }

  async putManifest(name: string, reference: string, bytes: Buffer, contentType: string): Promise<{ digest: string; subject?: string }> {
    checkName(name);
    if (bytes.length > this.options.maxManifestSize) {
      throw new BerthError(ErrorCode.PayloadTooLarge, `manifest over ${this.options.maxManifestSize} bytes`);
    }
    const byDigest = isDigest(reference);
    const wanted = byDigest ? parseDigest(reference) : undefined;
    if (!byDigest) checkTag(reference);
    const parsed = parseManifest(bytes, contentType);
    const digest = digestOfBytes(bytes, wanted?.algorithm);
    if (wanted && wanted.hex !== digest.hex) throw new BerthError(ErrorCode.DigestInvalid, `manifest does not match digest ${reference}`);
    for (const blob of parsed.blobs) {
      if ((await this.blobs.stat(name, blob)) === undefined) throw blobUnknown(blob);
      // Re-written so its age restarts: garbage collection spares what a push just referenced.
      await this.blobs.link(name, blob);
    }
    for (const child of parsed.manifests) {
      if (!(await this.revision(name, child))) throw blobUnknown(child);
    }
    // Content first, then the revision, the referrer entry and the tag: each step is atomic, and a
    // crash between them leaves only unreferenced content, never a tag to missing content.
    await this.blobs.putSmall(digest, bytes);
    const revision: Revision = { digest: formatDigest(digest), mediaType: parsed.mediaType, size: bytes.length };
    await this.driver.putContent(revisionPath(name, digest), Buffer.from(JSON.stringify(revision)));
    if (parsed.subject) {
      const entry: Descriptor = { mediaType: parsed.mediaType, digest: revision.digest, size: revision.size };
      if (parsed.artifactType) entry.artifactType = parsed.artifactType;
      if (parsed.annotations) entry.annotations = parsed.annotations;
      await this.driver.putContent(referrerPath(name, parsed.subject, digest), Buffer.from(JSON.stringify(entry)));
    }
    if (!byDigest) await this.driver.putContent(tagLinkPath(name, reference), Buffer.from(revision.digest));
    return { digest: revision.digest, subject: parsed.subject && formatDigest(parsed.subject) };
  }

  async getManifest(name: string, reference: string): Promise<StoredManifest> {
    checkName(name);
    const digest = await this.resolve(name, reference);
    const revision = digest && (await this.revision(name, digest));
    const bytes = revision && (await this.blobs.getSmall(digest));
    if (!revision || !bytes) throw await this.manifestUnknown(name, reference);
    return { ...revision, bytes };
  }

  async deleteManifest(name: string, reference: string): Promise<void> {
    checkName(name);
    if (!isDigest(reference)) {
      checkTag(reference);
      if (!(await this.driver.getContent(tagLinkPath(name, reference)))) throw await this.manifestUnknown(name, reference);
      await this.driver.delete(tagPath(name, reference));
      return;
    }
    const digest = parseDigest(reference);
    const manifest = await this.getManifest(name, reference);
    const subject = safeSubject(manifest);
    if (subject) await this.driver.delete(referrerPath(name, subject, digest));
    for (const tag of await this.driver.list(tagsPath(name))) {
      if ((await this.driver.getContent(tagLinkPath(name, tag)))?.toString('utf8') === reference) {
        await this.driver.delete(tagPath(name, tag));
      }
    }
    await this.driver.delete(revisionPath(name, digest).replace(/\/link$/, ''));
  }

  async tags(name: string, n: number | undefined, last: string | undefined): Promise<Page<string>> {
    checkName(name);
    if (!(await this.repositoryExists(name))) throw new BerthError(ErrorCode.NameUnknown, `repository ${name} not found`);
    return this.page(await this.driver.list(tagsPath(name)), n, last);
  }

  // Repository names, only those `visible` says the caller may see (filtered before paging, so
  // pages stay full).
  async catalog(n: number | undefined, last: string | undefined, visible?: (name: string) => Promise<boolean>): Promise<Page<string>> {
    const names = await this.repositories();
    const shown: string[] = [];
    for (const name of names) if (!visible || (await visible(name))) shown.push(name);
    return this.page(shown, n, last);
  }

  // Every repository's name, sorted.
  async repositories(): Promise<string[]> {
    const names: string[] = [];
    await this.walkRepositories('', names);
    return names.sort();
  }

  async referrers(name: string, subject: string, artifactType?: string): Promise<Descriptor[]> {
    checkName(name);
    const digest = parseDigest(subject);
    const dir = referrersPath(name, digest);
    const found: Descriptor[] = [];
    for (const entry of await this.driver.list(dir)) {
      const raw = await this.driver.getContent(`${dir}/${entry}`);
      if (!raw) continue;
      const descriptor = JSON.parse(raw.toString('utf8')) as Descriptor;
      if (artifactType === undefined || descriptor.artifactType === artifactType) found.push(descriptor);
    }
    return found;
  }

  private page(sorted: string[], n: number | undefined, last: string | undefined): Page<string> {
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 0)) throw invalidArgument('n must be a non-negative integer');
    const limit = Math.min(n ?? this.options.maxPageSize, this.options.maxPageSize);
    const after = last === undefined ? sorted : sorted.filter((item) => item > last);
    const items = after.slice(0, limit);
    return { items, next: after.length > items.length && items.length > 0 ? items[items.length - 1] : undefined };
  }

  private async walkRepositories(prefix: string, out: string[]): Promise<void> {
    const dir = prefix ? `${REPOSITORIES}/${prefix}` : REPOSITORIES;
    const children = await this.driver.list(dir);
    if (prefix && (children.includes('_manifests') || children.includes('_layers'))) out.push(prefix);
    for (const child of children) {
      if (!child.startsWith('_')) await this.walkRepositories(prefix ? `${prefix}/${child}` : child, out);
    }
  }

  private async resolve(name: string, reference: string): Promise<Digest | undefined> {
    if (isDigest(reference)) return parseDigest(reference);
    checkTag(reference);
    const link = await this.driver.getContent(tagLinkPath(name, reference));
    return link ? parseDigest(link.toString('utf8')) : undefined;
  }

  private async revision(name: string, digest: Digest): Promise<Revision | undefined> {
    const raw = await this.driver.getContent(revisionPath(name, digest));
    return raw ? (JSON.parse(raw.toString('utf8')) as Revision) : undefined;
  }

  private async manifestUnknown(name: string, reference: string): Promise<BerthError> {
    if (!(await this.repositoryExists(name))) return new BerthError(ErrorCode.NameUnknown, `repository ${name} not found`);
    return new BerthError(ErrorCode.ManifestUnknown, `manifest ${reference} not found in ${name}`);
  }
}

const blobUnknown = (digest: Digest): BerthError =>
  new BerthError(ErrorCode.ManifestBlobUnknown, `manifest references ${formatDigest(digest)}, which is not in the repository`);

// The subject of a stored (hence already validated) manifest.
function safeSubject(manifest: StoredManifest): Digest | undefined {
  try {
    return parseManifest(manifest.bytes, manifest.mediaType).subject;
  } catch {
    return undefined;
  }
}

