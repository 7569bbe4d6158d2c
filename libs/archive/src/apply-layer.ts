import { createHash } from 'node:crypto';
import { chmodSync, closeSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, rmSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { extract as tarExtract, type Header } from 'tar-stream';
import { invalidArgument, isBerthError } from '@berth/errors';
import { decompressed } from './decompress';
import { layerTooLarge } from './size-limit';
import { cleanComponents, resolveInRootSync } from '@berth/scoped-fs';
import { makeDevice, makeFifo, makeWhiteout, markOpaque } from './special-files';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export interface ApplyOptions {
  // Refuse layers whose uncompressed size exceeds this (a decompression bomb).
  maxSize?: number;
  // Receives every uncompressed byte, in order, e.g. to store the layer as a blob.
  onChunk?: (chunk: Buffer) => Promise<void>;
}

export interface ApplyResult {
  // sha256 of the uncompressed tar stream: the layer's diffID.
  diffId: string;
  size: number;
  entries: number;
  skipped: string[];
}

interface DirTimes {
  path: string;
  mtime: Date;
}

function entryError(name: string, reason: string): Error {
  return invalidArgument(`invalid layer entry ${JSON.stringify(name)}: ${reason}`);
}

function removeExisting(path: string, keepDirectory: boolean): void {
  try {
    const stats = lstatSync(path);
    if (stats.isDirectory() && keepDirectory) return;
    rmSync(path, { recursive: true, force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

async function writeFile(path: string, data: AsyncIterable<Uint8Array>, mode: number): Promise<void> {
  // O_EXCL with O_NOFOLLOW semantics: the path was just cleared, so nothing may sit there now.
  const fd = openSync(path, 'wx', mode & 0o777);
  try {
    for await (const chunk of data) {
      for (let offset = 0; offset < chunk.byteLength; ) offset += writeSync(fd, chunk, offset);
    }
  } finally {
    closeSync(fd);
  }
}

/*
 * Unpacks a layer (plain, gzip or zstd tar) into `root` as an overlayfs lower directory. The archive is
 * hostile: every path is resolved inside root (symlinks included), hardlinks may only point at
 * files inside root, device nodes are made only inside root (as docker does as root), and modes
 * keep only permission, setuid, setgid and sticky bits.
 *
 * Its file system calls are synchronous. Each is short (a layer's thousands of lstat, mkdir,
 * chown), and as promises every one would queue in libuv's four-thread pool behind the inflating
 * and the big writes of the other layers being pulled: a 1 MB layer of 400 files then took most
 * of a second to unpack, instead of tens of milliseconds.
 */
export async function applyLayer(input: Readable, root: string, options: ApplyOptions = {}): Promise<ApplyResult> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (options.maxSize !== undefined && size > options.maxSize) {
        callback(layerTooLarge(options.maxSize));
        return;
      }
      hash.update(chunk);
      const forward = options.onChunk ? options.onChunk(chunk) : Promise.resolve();
      forward.then(
        () => callback(null, chunk),
        (err: unknown) => callback(err as Error),
      );
    },
  });
  const extractor = tarExtract();
  const source = await decompressed(input, { maxSize: options.maxSize });
  let pipelineError: Error | undefined;
  pipeline(source, tap, extractor, (err) => {
    if (err) pipelineError = err;
  });

  const dirTimes: DirTimes[] = [];
  const skipped: string[] = [];
  let entries = 0;
  try {
    for await (const entry of extractor) {
      entries++;
      await applyEntry(root, entry.header, entry as AsyncIterable<Uint8Array>, dirTimes, skipped);
      entry.resume();
    }
  } catch (err) {
    source.destroy();
    throw normalizeTarError(pipelineError ?? err);
  }
  if (pipelineError) throw normalizeTarError(pipelineError);
  if (entries === 0) throw invalidArgument('invalid tar archive: it has no entries');
  // Directory times last: writing into a directory changes its mtime. lutimes, because a later
  // entry may have replaced the directory with a symlink pointing out of the root.
  for (const dir of dirTimes.reverse()) {
    try {
      lutimesSync(dir.path, dir.mtime, dir.mtime);
    } catch {
      // The directory went (a later whiteout or replacement): nothing to date.
    }
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size, entries, skipped };
}

// Parser and zlib failures mean a bad archive; filesystem errors (errno codes) stay what they are.
function normalizeTarError(err: unknown): Error {
  if (isBerthError(err)) return err;
  const errno = (err as NodeJS.ErrnoException).code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return err as Error;
  const message = err instanceof Error ? err.message : String(err);
  return invalidArgument(`invalid tar archive: ${message}`);
}

async function applyEntry(root: string, header: Header, data: AsyncIterable<Uint8Array>, dirTimes: DirTimes[], skipped: string[]): Promise<void> {
  const components = cleanComponents(header.name);
  if (components.length === 0) {
    // The archive's own root ("./"): only its metadata applies.
    if (header.type === 'directory') setMetadata(root, header, false);
    return;
  }
  const name = components[components.length - 1] as string;
  const parent = resolveInRootSync(root, components.slice(0, -1), true);
  mkdirSync(parent, { recursive: true });
  if (!lstatSync(parent).isDirectory()) throw entryError(header.name, 'its parent is not a directory');

  if (name === OPAQUE_MARKER) {
    await markOpaque(parent);
    return;
  }
  if (name.startsWith(WHITEOUT_PREFIX)) {
    const hidden = name.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..' || hidden.startsWith(WHITEOUT_PREFIX)) {
      // .wh..wh.* are the layer format's own metadata (e.g. hard link bookkeeping): not files.
      return;
    }
    const target = join(parent, hidden);
    removeExisting(target, false);
    await makeWhiteout(target);
    return;
  }

  const path = join(parent, name);
  const mode = (header.mode ?? 0o644) & 0o7777;
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      removeExisting(path, false);
      await writeFile(path, data, mode);
      setMetadata(path, header, false);
      break;
    case 'directory':
      removeExisting(path, true);
      mkdirSync(path, { recursive: true, mode: mode & 0o777 });
      setMetadata(path, header, false);
      dirTimes.push({ path, mtime: header.mtime ?? new Date(0) });
      break;
    case 'symlink':
      if (!header.linkname) throw entryError(header.name, 'symlink without a target');
      removeExisting(path, false);
      symlinkSync(header.linkname, path);
      setMetadata(path, header, true);
      break;
    case 'link': {
      if (!header.linkname) throw entryError(header.name, 'hard link without a target');
      const source = resolveInRootSync(root, cleanComponents(header.linkname), false);
      let stats;
      try {
        stats = lstatSync(source);
      } catch {
        throw entryError(header.name, `hard link target ${JSON.stringify(header.linkname)} is not in the layer`);
      }
      if (stats.isDirectory()) throw entryError(header.name, 'hard link to a directory');
      if (stats.isCharacterDevice() && stats.rdev === 0) throw entryError(header.name, `hard link target ${JSON.stringify(header.linkname)} was deleted by a whiteout`);
      if (source === path) return;
      removeExisting(path, false);
      linkSync(source, path);
      break;
    }
    case 'fifo':
      removeExisting(path, false);
      await makeFifo(path, mode);
      setMetadata(path, header, false);
      break;
    case 'character-device':
    case 'block-device':
      removeExisting(path, false);
      await makeDevice(path, header.type === 'block-device' ? 'b' : 'c', header.devmajor ?? 0, header.devminor ?? 0, mode);
      setMetadata(path, header, false);
      break;
    default:
      skipped.push(header.name);
  }
}

function setMetadata(path: string, header: Header, isSymlink: boolean): void {
  lchownSync(path, header.uid ?? 0, header.gid ?? 0);
  const mtime = header.mtime ?? new Date(0);
  if (isSymlink) {
    lutimesSync(path, mtime, mtime);
    return;
  }
  // chown clears setuid/setgid, so the mode goes on after it.
  chmodSync(path, (header.mode ?? 0o644) & 0o7777);
  utimesSync(path, mtime, mtime);
}

