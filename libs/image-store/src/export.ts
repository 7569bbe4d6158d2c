import { execFile } from 'node:child_process';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { pack as tarPack, type Pack } from 'tar-stream';
import { invalidArgument } from '@berth/errors';
import { addEntry, streamEntry, type EntryHeader } from './tar-entries';

const run = promisify(execFile);

interface Found {
  path: string;
  stats: Stats;
  // Index of the layer the entry comes from in the list of layer directories, top first.
  layer: number;
}

/*
 * docker export without a mount: the merged view of overlay layer directories (a container's
 * upper directory first, then its image's layers, top first) as a tar. The top-most layer that
 * has a name decides what it is; an overlay whiteout (a 0:0 character device) hides the name
 * below, an opaque directory hides everything below it. Hard links within a layer stay links.
 */
export function exportLayers(layerDirs: readonly string[]): Readable {
  const pack = tarPack();
  const out = new PassThrough();
  pipeline(pack, out).catch((err: unknown) => out.destroy(err as Error));
  (async () => {
    const opaque = await opaqueDirectories(layerDirs);
    await walk(pack, '', layerDirs.map((dir, layer) => ({ dir, layer })), opaque, new Map());
  })().then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  );
  return out;
}

const isWhiteout = (stats: Stats): boolean => stats.isCharacterDevice() && stats.rdev === 0;

async function walk(pack: Pack, rel: string, sources: Array<{ dir: string; layer: number }>, opaque: Set<string>, links: Map<string, string>): Promise<void> {
  const found = new Map<string, Found>();
  const hidden = new Set<string>();
  for (const { dir, layer } of sources) {
    for (const name of await readdir(dir)) {
      if (found.has(name) || hidden.has(name)) continue;
      const path = join(dir, name);
      const stats = await lstat(path);
      if (isWhiteout(stats)) hidden.add(name);
      else found.set(name, { path, stats, layer });
    }
  }
  for (const name of [...found.keys()].sort()) {
    const entry = found.get(name) as Found;
    const relPath = rel === '' ? name : `${rel}/${name}`;
    await writeEntry(pack, relPath, entry, links);
    if (!entry.stats.isDirectory()) continue;
    const below: Array<{ dir: string; layer: number }> = [{ dir: entry.path, layer: entry.layer }];
    if (!opaque.has(entry.path)) {
      for (const source of sources.filter((s) => s.layer > entry.layer)) {
        const path = join(source.dir, name);
        const stats = await lstat(path).catch(() => undefined);
        if (stats === undefined) continue;
        if (!stats.isDirectory()) break;
        below.push({ dir: path, layer: source.layer });
        if (opaque.has(path)) break;
      }
    }
    await walk(pack, relPath, below, opaque, links);
  }
}

async function writeEntry(pack: Pack, name: string, { path, stats }: Found, links: Map<string, string>): Promise<void> {
  const base: EntryHeader = { name, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtime: stats.mtime };
  if (stats.isDirectory()) return addEntry(pack, { ...base, name: `${name}/`, type: 'directory' });
  if (stats.isSymbolicLink()) return addEntry(pack, { ...base, type: 'symlink', linkname: await readlink(path) });
  if (stats.isFIFO()) return addEntry(pack, { ...base, type: 'fifo' });
  if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    const type = stats.isCharacterDevice() ? 'character-device' : 'block-device';
    return addEntry(pack, { ...base, type, devmajor: Math.floor(stats.rdev / 256) & 0xfff, devminor: (stats.rdev & 0xff) | ((stats.rdev >> 12) & 0xfff00) });
  }
  if (!stats.isFile()) return; // sockets do not go into archives
  if (stats.nlink > 1) {
    const key = `${stats.dev}:${stats.ino}`;
    const first = links.get(key);
    if (first !== undefined) return addEntry(pack, { ...base, type: 'link', linkname: first });
    links.set(key, name);
  }
  // A running container may change the file; the archive takes exactly the size it announced.
  const body = stats.size > 0 ? createReadStream(path, { start: 0, end: stats.size - 1 }) : Readable.from([]);
  await streamEntry(pack, { ...base, type: 'file', size: stats.size }, body);
}

// Directories marked opaque (trusted.overlay.opaque=y) in any of the layers, found with one
// getfattr per layer (Node cannot read extended attributes).
async function opaqueDirectories(layerDirs: readonly string[]): Promise<Set<string>> {
  const opaque = new Set<string>();
  for (const dir of layerDirs) {
    // latin1 keeps every byte of the names as one character each.
    const { stdout } = await run('getfattr', ['-R', '-P', '--absolute-names', '-d', '-m', '^trusted\\.overlay\\.opaque$', '--', dir], {
      maxBuffer: 256 << 20,
      encoding: 'latin1',
    }).catch((err: { stdout?: string; code?: unknown }) => {
      // getfattr exits non-zero when some file has no such attribute; only a missing tool is fatal.
      if (err.code === 'ENOENT' || err.stdout === undefined) throw err;
      return { stdout: err.stdout };
    });
    let file: string | undefined;
    for (const line of stdout.split('\n')) {
      if (line.startsWith('# file: ')) file = unescapeOctal(line.slice('# file: '.length));
      else if (file !== undefined && line === 'trusted.overlay.opaque="y"') opaque.add(file);
    }
  }
  return opaque;
}

// getfattr writes unusual bytes in names as \ooo; `text` holds one byte per character.
function unescapeOctal(text: string): string {
  return Buffer.from(text.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8) & 0xff)), 'latin1').toString('utf8');
}

// The layer directories of an overlay snapshot, its upper directory first, as its mount says.
export function snapshotLayerDirs(mounts: ReadonlyArray<{ options: string[] }>): string[] {
  const options = mounts[0]?.options ?? [];
  const value = (key: string): string | undefined => options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1);
  const upper = value('upperdir');
  const lower = value('lowerdir');
  if (upper === undefined || lower === undefined) throw invalidArgument('the snapshot has no overlay mount to export');
  return [upper, ...lower.split(':')];
}
