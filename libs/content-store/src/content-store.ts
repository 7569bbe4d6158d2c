import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { digestMismatch, invalidArgument, notFound } from '@berth/errors';
import { assertDigest, digestHex } from './digest';

export interface BlobInfo {
  digest: string;
  size: number;
}

// Content is written through an ingest writer and becomes visible only at commit, once every byte
// has been hashed and matched against what the caller expected (containerd's content.Writer).
export interface IngestWriter {
  write(chunk: Uint8Array): Promise<void>;
  // Starts making what was written so far durable (fsync), so the wait overlaps the caller's
  // other work; commit waits for it, and syncs again only if more was written since.
  sync(): Promise<void>;
  // Verifies, fsyncs and renames into place; returns what was stored.
  commit(expectedDigest?: string, expectedSize?: number): Promise<BlobInfo>;
  abort(): Promise<void>;
  readonly written: number;
}

export interface IngestOptions {
  // The bytes come from a source that hashes them itself and fails, before it ends, when they do
  // not match (a registry download verified as it streams). The writer then takes commit's
  // expected digest, which becomes required, instead of hashing every byte a second time; its
  // caller commits only once that source has ended without error.
  sourceVerified?: boolean;
}

export interface ContentStore {
  info(digest: string): Promise<BlobInfo | undefined>;
  reader(digest: string): Promise<ReadStream>;
  writer(options?: IngestOptions): Promise<IngestWriter>;
  delete(digest: string): Promise<void>;
  walk(): AsyncGenerator<BlobInfo>;
}

class FileIngestWriter implements IngestWriter {
  private readonly hash: Hash | undefined;
  private size = 0;
  private done = false;
  private syncing: Promise<void> | undefined;
  private syncedSize = -1;

  constructor(
    private readonly handle: FileHandle,
    private readonly tempPath: string,
    private readonly blobPath: (hex: string) => string,
    sourceVerified: boolean,
  ) {
    this.hash = sourceVerified ? undefined : createHash('sha256');
  }

  get written(): number {
    return this.size;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.hash?.update(chunk);
    this.size += chunk.length;
    await this.handle.write(chunk);
  }

  sync(): Promise<void> {
    if (this.syncing === undefined || this.syncedSize !== this.size) {
      this.syncedSize = this.size;
      this.syncing = this.handle.sync();
    }
    return this.syncing;
  }

  async commit(expectedDigest?: string, expectedSize?: number): Promise<BlobInfo> {
    if (this.done) throw invalidArgument('ingest already finished');
    this.done = true;
    try {
      if (!this.hash && expectedDigest === undefined) throw invalidArgument('a writer for verified bytes needs the expected digest');
      const digest = this.hash ? `sha256:${this.hash.digest('hex')}` : assertDigest(expectedDigest ?? '');
      if (expectedSize !== undefined && expectedSize !== this.size) {
        throw digestMismatch(`size mismatch: expected ${expectedSize} bytes, got ${this.size}`);
      }
      if (expectedDigest !== undefined && assertDigest(expectedDigest) !== digest) {
        throw digestMismatch(`digest mismatch: expected ${expectedDigest}, got ${digest}`);
      }
      await this.sync();
      await this.handle.close();
      const target = this.blobPath(digestHex(digest));
      await mkdir(join(target, '..'), { recursive: true });
      await rename(this.tempPath, target);
      return { digest, size: this.size };
    } catch (err) {
      await this.syncing?.catch(() => undefined);
      await this.handle.close().catch(() => undefined);
      await rm(this.tempPath, { force: true });
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.syncing?.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}

/*
 * A content store on a local filesystem:
 *   DIR/blobs/sha256/<hex>   committed blobs, immutable
 *   DIR/ingest/<random>      blobs being written; never read as content
 */
export class FileContentStore implements ContentStore {
  constructor(private readonly dir: string) {}

  private blobPath = (hex: string): string => join(this.dir, 'blobs', 'sha256', hex);

  async info(digest: string): Promise<BlobInfo | undefined> {
    try {
      const stats = await stat(this.blobPath(digestHex(digest)));
      return { digest, size: stats.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async reader(digest: string): Promise<ReadStream> {
    if (!(await this.info(digest))) throw notFound(`blob ${digest} not found`);
    return createReadStream(this.blobPath(digestHex(digest)));
  }

  async writer(options: IngestOptions = {}): Promise<IngestWriter> {
    const ingest = join(this.dir, 'ingest');
    await mkdir(ingest, { recursive: true });
    const tempPath = join(ingest, randomBytes(12).toString('hex'));
    const handle = await open(tempPath, 'wx', 0o644);
    return new FileIngestWriter(handle, tempPath, this.blobPath, options.sourceVerified === true);
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digestHex(digest)), { force: true });
  }

  async *walk(): AsyncGenerator<BlobInfo> {
    const dir = join(this.dir, 'blobs', 'sha256');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const hex of names) {
      if (!/^[a-f0-9]{64}$/.test(hex)) continue;
      const stats = await stat(join(dir, hex));
      yield { digest: `sha256:${hex}`, size: stats.size };
    }
  }

  // Removes ingests a crash left behind; call at start-up before any writer exists.
  async purgeIngest(): Promise<void> {
    await rm(join(this.dir, 'ingest'), { recursive: true, force: true });
  }
}

// Stores an in-memory blob (configs, manifests).
export async function writeBlob(store: ContentStore, data: Uint8Array, expectedDigest?: string): Promise<BlobInfo> {
  const writer = await store.writer();
  try {
    await writer.write(data);
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return writer.commit(expectedDigest, data.length);
}
