// Builders for the archive tests: tars from entry lists, raw header surgery for names no tar
// writer produces, and a digest of a directory tree to prove nothing outside a root changed.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pack, type Header } from 'tar-stream';

export type Entry = Partial<Header> & { name: string; body?: string | Buffer };

export async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ mode: 0o644, mtime: new Date(1e12), ...header, size: body?.length ?? 0 }, body ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/*
 * Overwrites a field of the tar header at `offset` with raw bytes (a name with NUL or invalid
 * UTF-8, an absurd size) and fixes the header checksum, so the parser sees exactly those bytes.
 */
export function withRawField(tar: Buffer, offset: number, field: { start: number; length: number }, value: Buffer): Buffer {
  const out = Buffer.from(tar);
  out.fill(0, offset + field.start, offset + field.start + field.length);
  value.copy(out, offset + field.start, 0, Math.min(value.length, field.length));
  out.fill(0x20, offset + 148, offset + 156);
  let sum = 0;
  for (let i = offset; i < offset + 512; i++) sum += out[i] as number;
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
  return out;
}

export const NAME_FIELD = { start: 0, length: 100 };
export const SIZE_FIELD = { start: 124, length: 12 };

// Everything an escape could change: names, types, modes, owners, times, contents, link targets.
export function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    const s = lstatSync(path);
    hash.update(`${path}\0${s.mode}\0${s.uid}:${s.gid}\0${s.size}\0${s.mtimeMs}\0${s.nlink}\0`);
    if (s.isSymbolicLink()) hash.update(readlinkSync(path));
    else if (s.isFile()) hash.update(readFileSync(path));
    else if (s.isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
  };
  // The directory itself too: a chmod or a new entry through a symlink to it must show.
  visit(dir);
  return hash.digest('hex');
}
