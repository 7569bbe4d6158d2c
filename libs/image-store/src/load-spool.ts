import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { extract as tarExtract, type Header } from 'tar-stream';
import { invalidArgument, isBerthError } from '@berth/errors';
import { decompressed } from '@berth/archive';

export interface SpoolLimits {
  // The largest member the archive may hold, and the most members.
  maxMemberSize: number;
  maxMembers: number;
}

export interface SpooledFile {
  path: string;
  digest: string;
  size: number;
}

const MAX_LINK_HOPS = 16;

/*
 * A load archive unpacked, once, into a private directory under the store's root: member names
 * never become paths (files are numbered), so a hostile name cannot write anywhere. Symlinks and
 * hard links between members (docker's legacy archives link shared layer.tar files) are kept as
 * names and resolved only to other members of the archive.
 */
export class LoadSpool {
  private readonly files = new Map<string, SpooledFile>();
  private readonly links = new Map<string, string>();

  private constructor(readonly dir: string) {}

  static async create(parent: string): Promise<LoadSpool> {
    await mkdir(parent, { recursive: true, mode: 0o700 });
    const dir = join(parent, `load-${randomBytes(8).toString('hex')}`);
    await mkdir(dir, { mode: 0o700 });
    return new LoadSpool(dir);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  async fill(input: Readable, limits: SpoolLimits): Promise<void> {
    const extractor = tarExtract();
    const source = await decompressed(input);
    let pipelineError: Error | undefined;
    pipeline(source, extractor, (err) => {
      if (err) pipelineError = err;
    });
    let members = 0;
    try {
      for await (const entry of extractor) {
        if (++members > limits.maxMembers) throw invalidArgument(`invalid archive: more than ${limits.maxMembers} members`);
        await this.add(entry.header, entry as AsyncIterable<Buffer>, limits, members);
        entry.resume();
      }
    } catch (err) {
      source.destroy();
      throw archiveError(pipelineError ?? err);
    }
    if (pipelineError) throw archiveError(pipelineError);
    if (members === 0) throw invalidArgument('invalid archive: it has no members');
  }

  private async add(header: Header, data: AsyncIterable<Buffer>, limits: SpoolLimits, index: number): Promise<void> {
    if (header.type === 'directory') {
      // Directories carry nothing a load needs; their names are still checked ("./" is the root).
      if (header.name.replace(/[./]/g, '') !== '' || header.name.includes('..') || header.name.startsWith('/')) memberName(header.name);
      return;
    }
    const name = memberName(header.name);
    switch (header.type) {
      case 'file':
      case 'contiguous-file': {
        if ((header.size ?? 0) > limits.maxMemberSize) {
          throw invalidArgument(`invalid archive: member ${JSON.stringify(header.name)} is ${header.size ?? 0} bytes, over the limit of ${limits.maxMemberSize}`);
        }
        this.files.set(name, await this.write(data, String(index)));
        this.links.delete(name);
        return;
      }
      case 'symlink': {
        const target = header.linkname ?? '';
        if (target.startsWith('/')) throw invalidArgument(`invalid archive: symlink ${JSON.stringify(header.name)} points outside the archive`);
        this.links.set(name, memberName(posix.join(posix.dirname(name), target), header.name));
        this.files.delete(name);
        return;
      }
      case 'link':
        this.links.set(name, memberName(header.linkname ?? '', header.name));
        this.files.delete(name);
        return;
      default:
        throw invalidArgument(`invalid archive: member ${JSON.stringify(header.name)} is a ${header.type ?? 'special file'}, not a file`);
    }
  }

  private async write(data: AsyncIterable<Buffer>, fileName: string): Promise<SpooledFile> {
    const path = join(this.dir, fileName);
    const hash = createHash('sha256');
    let size = 0;
    const handle = await open(path, 'wx', 0o600);
    try {
      for await (const chunk of data) {
        hash.update(chunk);
        size += chunk.length;
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    return { path, digest: `sha256:${hash.digest('hex')}`, size };
  }

  // The member's file, following links between members; undefined when the archive lacks it.
  file(name: string): SpooledFile | undefined {
    let current = memberName(name);
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      const file = this.files.get(current);
      if (file) return file;
      const next = this.links.get(current);
      if (next === undefined) return undefined;
      current = next;
    }
    throw invalidArgument(`invalid archive: too many levels of links at ${JSON.stringify(name)}`);
  }

  require(name: string, what: string): SpooledFile {
    const file = this.file(name);
    if (!file) throw invalidArgument(`invalid archive: ${what} ${JSON.stringify(name)} is missing`);
    return file;
  }

  open(file: SpooledFile): Readable {
    return createReadStream(file.path);
  }
}

// A member's name relative to the archive's root; absolute names and names that climb out of
// the archive are refused, never cleaned into something else.
export function memberName(raw: string, member = raw): string {
  if (raw.includes('\0')) throw invalidArgument(`invalid archive: member name ${JSON.stringify(member)} contains a NUL byte`);
  if (raw.startsWith('/')) throw invalidArgument(`invalid archive: member ${JSON.stringify(member)} has an absolute path`);
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw invalidArgument(`invalid archive: member ${JSON.stringify(member)} points outside the archive`);
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  if (parts.length === 0) throw invalidArgument(`invalid archive: member ${JSON.stringify(member)} has an empty name`);
  return parts.join('/');
}

function archiveError(err: unknown): Error {
  if (isBerthError(err)) return err;
  const errno = (err as NodeJS.ErrnoException).code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return err as Error;
  return invalidArgument(`invalid archive: ${err instanceof Error ? err.message : String(err)}`);
}

// Spools a crash left behind.
export async function purgeLoadSpools(parent: string): Promise<void> {
  let names: string[] = [];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith('load-')).map((n) => rm(join(parent, n), { recursive: true, force: true })));
}
