import { createHash, randomUUID, type Hash } from 'node:crypto';
import { BerthError, ErrorCode } from '@berth/errors';
import { formatDigest, parseDigest, type Digest } from './names';
import { blobPath, layerLinkPath, UPLOADS, uploadDataPath, uploadInfoPath, uploadPath } from './paths';
import { type ObjectHandle, type StorageDriver } from './storage/driver';

export interface UploadState {
  id: string;
  repository: string;
  size: number;
  startedAt: string;
}

export interface BlobLimits {
  // The largest blob an upload may grow to (bytes).
  maxBlobSize: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/*
 * Hash states of uploads this process is receiving, so each byte is hashed once, as it streams
 * in. It is only a cache: an entry counts only when its size equals the upload's size in storage,
 * so after a restart, or when another process took the previous chunk, the digest is recomputed
 * from the stored bytes instead.
 */
class HashCache {
  private readonly entries = new Map<string, { size: number; hash: Hash }>();

  take(id: string, size: number): Hash | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    if (entry?.size === size) return entry.hash;
    return size === 0 ? createHash('sha256') : undefined;
  }

  peek(id: string, size: number): Hash | undefined {
    const entry = this.entries.get(id);
    return entry?.size === size ? entry.hash : undefined;
  }

  put(id: string, size: number, hash: Hash): void {
    this.entries.set(id, { size, hash });
  }

  drop(id: string): void {
    this.entries.delete(id);
  }
}

const unknownUpload = (id: string): BerthError => new BerthError(ErrorCode.BlobUploadUnknown, `upload ${id.slice(0, 64)} not found`);

// Blobs, their visibility per repository, and resumable uploads.
export class BlobService {
  private readonly hashes = new HashCache();

  constructor(
    private readonly driver: StorageDriver,
    private readonly limits: BlobLimits,
  ) {}

  // The size of a blob visible in `name`, or undefined.
  async stat(name: string, digest: Digest): Promise<number | undefined> {
    if (!(await this.driver.stat(layerLinkPath(name, digest)))) return undefined;
    return (await this.driver.stat(blobPath(digest)))?.size;
  }

  async open(digest: Digest): Promise<ObjectHandle> {
    const handle = await this.driver.open(blobPath(digest));
    if (!handle) throw new BerthError(ErrorCode.BlobUnknown, `blob ${formatDigest(digest)} not found`);
    return handle;
  }

  async unlink(name: string, digest: Digest): Promise<void> {
    if ((await this.stat(name, digest)) === undefined) throw new BerthError(ErrorCode.BlobUnknown, `blob ${formatDigest(digest)} not found`);
    await this.driver.delete(layerLinkPath(name, digest).replace(/\/link$/, ''));
  }

  // Makes a blob of `from` visible in `name`; false when `from` does not have it.
  async mount(name: string, from: string, digest: Digest): Promise<boolean> {
    if ((await this.stat(from, digest)) === undefined) return false;
    await this.link(name, digest);
    return true;
  }

  async link(name: string, digest: Digest): Promise<void> {
    await this.driver.putContent(layerLinkPath(name, digest), Buffer.from(formatDigest(digest)));
  }

  // Stores small content (a manifest) by digest; visible atomically, written once.
  async putSmall(digest: Digest, data: Uint8Array): Promise<void> {
    if (await this.driver.stat(blobPath(digest))) return;
    await this.driver.putContent(blobPath(digest), data);
  }

  async getSmall(digest: Digest): Promise<Buffer | undefined> {
    return this.driver.getContent(blobPath(digest));
  }

  async startUpload(name: string): Promise<UploadState> {
    const upload: UploadState = { id: randomUUID(), repository: name, size: 0, startedAt: new Date().toISOString() };
    await this.driver.putContent(uploadInfoPath(upload.id), Buffer.from(JSON.stringify({ repository: name, startedAt: upload.startedAt })));
    return upload;
  }

  async getUpload(name: string, id: string): Promise<UploadState> {
    if (!UUID.test(id)) throw unknownUpload(id);
    const raw = await this.driver.getContent(uploadInfoPath(id));
    if (!raw) throw unknownUpload(id);
    const info = JSON.parse(raw.toString('utf8')) as { repository: string; startedAt: string };
    if (info.repository !== name) throw unknownUpload(id);
    const size = (await this.driver.stat(uploadDataPath(id)))?.size ?? 0;
    return { id, repository: name, size, startedAt: info.startedAt };
  }

  // Appends a chunk; `range` is the client's Content-Range, which must start where the upload is.
  async append(name: string, id: string, body: AsyncIterable<Uint8Array>, range?: { start: number; end: number }): Promise<UploadState> {
    const upload = await this.getUpload(name, id);
    if (range && range.start !== upload.size) {
      throw new BerthError(ErrorCode.RangeNotSatisfiable, `chunk starts at ${range.start}, upload is at ${upload.size}`);
    }
    const hash = this.hashes.take(id, upload.size);
    const max = this.limits.maxBlobSize;
    let hashed = upload.size;
    async function* metered(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        if (hashed + chunk.length > max) throw new BerthError(ErrorCode.PayloadTooLarge, `blob over the ${max}-byte limit`);
        hash?.update(chunk);
        hashed += chunk.length;
        yield chunk;
      }
    }
    let size: number;
    try {
      size = await this.driver.append(uploadDataPath(id), upload.size, metered());
    } finally {
      // Keep the hash only if it covers exactly what was stored.
      const stored = (await this.driver.stat(uploadDataPath(id)))?.size ?? 0;
      if (hash && stored === hashed) this.hashes.put(id, stored, hash);
    }
    if (range && size - range.start !== range.end - range.start + 1) {
      throw new BerthError(ErrorCode.SizeInvalid, `Content-Range declared ${range.end - range.start + 1} bytes, got ${size - range.start}`);
    }
    return { ...upload, size };
  }

  // Verifies the whole upload against `digest` and makes it a blob of `name`; on a mismatch the
  // upload is discarded and nothing is stored.
  async finish(name: string, id: string, digest: Digest): Promise<number> {
    const upload = await this.getUpload(name, id);
    const actual = await this.digestOf(id, upload.size, digest.algorithm);
    if (actual !== digest.hex) {
      await this.cancel(name, id);
      throw new BerthError(ErrorCode.DigestInvalid, `content does not match digest ${formatDigest(digest)}`);
    }
    if (!(await this.driver.stat(blobPath(digest)))) {
      if (upload.size === 0) await this.driver.putContent(blobPath(digest), new Uint8Array());
      else await this.driver.move(uploadDataPath(id), blobPath(digest));
    }
    await this.link(name, digest);
    await this.driver.delete(uploadPath(id));
    this.hashes.drop(id);
    return upload.size;
  }

  async cancel(name: string, id: string): Promise<void> {
    await this.getUpload(name, id);
    this.hashes.drop(id);
    await this.driver.delete(uploadPath(id));
  }

  // Removes uploads started before `before` (clients that went away); returns how many.
  async purgeUploads(before: Date): Promise<number> {
    let purged = 0;
    for (const id of await this.driver.list(UPLOADS)) {
      if (!UUID.test(id)) continue;
      const raw = await this.driver.getContent(uploadInfoPath(id));
      const startedAt = raw ? Date.parse((JSON.parse(raw.toString('utf8')) as { startedAt: string }).startedAt) : 0;
      const touched = (await this.driver.stat(uploadDataPath(id)))?.modifiedAt.getTime() ?? startedAt;
      if (Math.max(startedAt, touched) < before.getTime()) {
        this.hashes.drop(id);
        await this.driver.delete(uploadPath(id));
        purged += 1;
      }
    }
    return purged;
  }

  private async digestOf(id: string, size: number, algorithm: Digest['algorithm']): Promise<string> {
    const cached = algorithm === 'sha256' ? this.hashes.peek(id, size) : undefined;
    if (cached) return cached.copy().digest('hex');
    const hash = createHash(algorithm);
    const stream = await this.driver.reader(uploadDataPath(id));
    if (stream) for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
}

export const digestOfBytes = (data: Uint8Array, algorithm: Digest['algorithm'] = 'sha256'): Digest =>
  parseDigest(`${algorithm}:${createHash(algorithm).update(data).digest('hex')}`);
