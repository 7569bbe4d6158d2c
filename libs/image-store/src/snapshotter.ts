import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { alreadyExists, invalidArgument, notFound } from '@berth/errors';
import type { types } from '@berth/proto';
import { directorySize } from './disk-usage';

export interface SnapshotInfo {
  key: string;
  imageId: string;
  mounts: types.Mount[];
  size: number;
}

interface SnapshotRecord {
  key: string;
  imageId: string;
  lowerDirs: string[];
}

const KEY = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/*
 * Writable snapshots over read-only layers (containerd's snapshotter): it returns mounts and
 * never mounts anything itself.
 *   DIR/<key>/snapshot.json   which image, which lower directories
 *   DIR/<key>/upper, work     the overlay's writable directories
 */
export class Snapshotter {
  // Made (and its mode mended) once per process, not at every prepare.
  private dirReady: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  private ensureDir(): Promise<void> {
    this.dirReady ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await chmod(this.dir, 0o700);
    })().catch((err: unknown) => {
      this.dirReady = undefined;
      throw err;
    });
    return this.dirReady;
  }

  private path(key: string): string {
    if (!KEY.test(key)) throw invalidArgument(`invalid snapshot key ${JSON.stringify(key)}`);
    return join(this.dir, key);
  }

  // lowerDirs: top layer first, as overlayfs wants them.
  async prepare(key: string, imageId: string, lowerDirs: string[]): Promise<SnapshotInfo> {
    const dir = this.path(key);
    // Only root may reach a container's writable layer: whatever its processes wrote there (a
    // setuid copy of a shell) must not become runnable by the host's users through this path,
    // which mountinfo shows to all of them (docker's CVE-2021-41091). The chmod mends older roots.
    await this.ensureDir();
    // Synchronously: three directories and a few hundred bytes into the page cache take
    // microseconds, where each trip through libuv's thread pool would cost every run's critical
    // path more than the work.
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(`snapshot ${key} already exists`);
      throw err;
    }
    try {
      mkdirSync(join(dir, 'upper'), { mode: 0o755 });
      mkdirSync(join(dir, 'work'), { mode: 0o700 });
      const record: SnapshotRecord = { key, imageId, lowerDirs };
      writeNewRecord(join(dir, 'snapshot.json'), record);
      return this.describe(record, 0);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private describe(record: SnapshotRecord, size: number): SnapshotInfo {
    const dir = join(this.dir, record.key);
    return {
      key: record.key,
      imageId: record.imageId,
      size,
      mounts: [
        {
          type: 'overlay',
          source: 'overlay',
          target: '',
          options: [`lowerdir=${record.lowerDirs.join(':')}`, `upperdir=${join(dir, 'upper')}`, `workdir=${join(dir, 'work')}`],
        },
      ],
    };
  }

  // A record torn by a crash reads as none (see writeNewRecord).
  private async record(key: string): Promise<SnapshotRecord> {
    let text: string;
    try {
      text = await readFile(join(this.path(key), 'snapshot.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`snapshot ${key} not found`);
      throw err;
    }
    try {
      return JSON.parse(text) as SnapshotRecord;
    } catch {
      throw notFound(`snapshot ${key} not found (its record is torn)`);
    }
  }

  async get(key: string): Promise<SnapshotInfo> {
    const record = await this.record(key);
    return this.describe(record, await directorySize(join(this.path(key), 'upper')));
  }

  async remove(key: string): Promise<void> {
    await this.record(key);
    await rm(this.path(key), { recursive: true, force: true });
  }

  // Each snapshot's lower directories, by key: the layers containers stand on.
  async lowerDirsByKey(): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    let keys: string[] = [];
    try {
      keys = await readdir(this.dir);
    } catch {
      return found;
    }
    for (const key of keys.filter((k) => KEY.test(k))) {
      try {
        found.set(key, (await this.record(key)).lowerDirs);
      } catch {
        // Torn by a crash: list() drops it.
      }
    }
    return found;
  }

  async list(): Promise<SnapshotInfo[]> {
    let keys: string[] = [];
    try {
      keys = await readdir(this.dir);
    } catch {
      return [];
    }
    const found: SnapshotInfo[] = [];
    for (const key of keys.filter((k) => KEY.test(k))) {
      try {
        found.push(this.describe(await this.record(key), 0));
      } catch {
        // A snapshot torn by a crash before its record was written: drop it.
        await rm(join(this.dir, key), { recursive: true, force: true });
      }
    }
    return found;
  }
}

/*
 * A new snapshot's record, in the snapshot's own new directory: written beside and renamed, so a
 * reader (a list during a prepare) sees it whole or not at all. Not fsynced: nothing makes the
 * directory entries durable (neither the snapshot's directory nor the record's name), so a crash
 * can leave the record missing either way, and a torn record reads as a missing one (record());
 * an fsync would only have chosen between two outcomes that every reader treats alike, and it
 * cost a millisecond or more of each run's critical path. Replacing a file that exists, where an
 * fsync does guard what was there, is writeFileAtomic's work.
 */
function writeNewRecord(path: string, record: SnapshotRecord): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(record), { mode: 0o644 });
  renameSync(temporary, path);
}
