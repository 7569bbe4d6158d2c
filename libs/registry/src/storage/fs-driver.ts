import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Readable } from 'node:stream';
import { BerthError, ErrorCode } from '@berth/errors';
import { checkKey, type ObjectHandle, type ObjectInfo, type StorageDriver } from './driver';

// Temporary files share their target's directory (so rename is atomic) and are never listed.
const TEMP_PREFIX = '.tmp-';
const READ_CHUNK = 1 << 20;
const APPEND_BATCH = 1 << 20;

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/*
 * The filesystem backend: an object is a file under ROOT. Small objects are written to a temp
 * file, fsynced and renamed; moves fsync the data and then rename, and fsync the directory, so a
 * SIGKILL or a crash never leaves a partial object where a reader could see it.
 */
export class FsDriver implements StorageDriver {
  constructor(private readonly root: string) {}

  private abs(path: string): string {
    return join(this.root, ...checkKey(path));
  }

  async getContent(path: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.abs(path));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async putContent(path: string, data: Uint8Array): Promise<void> {
    const target = this.abs(path);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (err) {
      await handle.close();
      await rm(temp, { force: true });
      throw err;
    }
    await handle.close();
    await rename(temp, target);
    await syncDir(dirname(target));
  }

  async reader(path: string, start?: number, end?: number): Promise<Readable | undefined> {
    try {
      const handle = await open(this.abs(path), 'r');
      // The stream owns the handle from here and closes it when done or destroyed.
      return handle.createReadStream({ start, end, highWaterMark: READ_CHUNK });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async open(path: string): Promise<ObjectHandle | undefined> {
    let handle;
    try {
      handle = await open(this.abs(path), 'r');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      const { size } = await handle.stat();
      const file = handle;
      return {
        size,
        read: async (into, position) => (await file.read(into, 0, into.length, position)).bytesRead,
        close: async () => file.close(),
      };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async append(path: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number> {
    const target = this.abs(path);
    await mkdir(dirname(target), { recursive: true });
    const handle = await open(target, 'a', 0o644);
    try {
      const size = (await handle.stat()).size;
      if (size !== offset) throw new BerthError(ErrorCode.RangeNotSatisfiable, `upload is at ${size} bytes, not ${offset}`);
      return size + (await appendBatched(handle, source));
    } finally {
      await handle.close();
    }
  }

  async stat(path: string): Promise<ObjectInfo | undefined> {
    try {
      const stats = await stat(this.abs(path));
      return stats.isFile() ? { size: stats.size, modifiedAt: stats.mtime } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.abs(from);
    const target = this.abs(to);
    const handle = await open(source, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(source, target);
    await syncDir(dirname(target));
  }

  async delete(path: string): Promise<void> {
    await rm(this.abs(path), { recursive: true, force: true });
  }

  async list(path: string): Promise<string[]> {
    try {
      const names = await readdir(this.abs(path));
      return names.filter((name) => !name.startsWith(TEMP_PREFIX)).sort();
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw err;
    }
  }

  // A Hub killed between creating a temp file and renaming it leaves the temp file behind, unseen
  // by readers; those not modified since `before` belong to no live write and are removed.
  // Returns how many went.
  async purgeTempFiles(before: Date): Promise<number> {
    return purgeTempsUnder(this.root, before.getTime());
  }
}

async function purgeTempsUnder(dir: string, cutoff: number): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return 0;
    throw err;
  }
  let purged = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) purged += await purgeTempsUnder(path, cutoff);
    else if (entry.isFile() && entry.name.startsWith(TEMP_PREFIX)) {
      const info = await lstat(path).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) {
        await rm(path, { force: true });
        purged += 1;
      }
    }
  }
  return purged;
}

/*
 * Writes a request body's small chunks (64 KiB at most) gathered into one writev per MiB, one batch
 * on its way to the file while the next gathers: with many uploads at once, a write per chunk
 * cost the Hub's one thread more than the copying. When the source fails, what it had delivered
 * is still written, so a resumed upload loses nothing that arrived.
 */
async function appendBatched(handle: FileHandle, source: AsyncIterable<Uint8Array>): Promise<number> {
  let written = 0;
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    await writing;
    const batch = gathered;
    const bytes = gatheredBytes;
    gathered = [];
    gatheredBytes = 0;
    writing = handle.writev(batch).then(({ bytesWritten }) => {
      written += bytesWritten;
      if (bytesWritten !== bytes) throw new BerthError(ErrorCode.Internal, `short write: ${bytesWritten} of ${bytes} bytes`);
    });
    // Awaited before the next batch or at the end; meanwhile a failure must not count as unhandled.
    void writing.catch(() => undefined);
  };
  try {
    for await (const chunk of source) {
      gathered.push(chunk);
      gatheredBytes += chunk.length;
      if (gatheredBytes >= APPEND_BATCH) await flush();
    }
  } finally {
    if (gatheredBytes > 0) await flush();
    await writing;
  }
  return written;
}

// A rename is durable only once its directory is synced.
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
