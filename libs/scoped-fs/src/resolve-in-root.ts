import { lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { invalidArgument } from '@berth/errors';

const MAX_LINKS = 255;

// Paths inside a root filesystem that may be hostile (a layer being unpacked, a container rootfs).

// The path of an archive entry as components inside the root: leading slashes and `..` are
// clamped at the root, as if the root were `/` (containerd does the same).
export function cleanComponents(name: string): string[] {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts;
}

/*
 * Resolves `components` inside `root`, following symlinks the way the kernel would if `root`
 * were the filesystem root: an absolute target restarts at `root`, `..` never climbs above it.
 * The final component is followed only when `followFinal` is set. The result never leaves root.
 * Synchronous: it is a few lstat calls, and a layer's unpacking makes thousands of them, each of
 * which would otherwise wait its turn in libuv's threadpool behind the pull's big reads and writes.
 */
export function resolveInRootSync(root: string, components: readonly string[], followFinal: boolean): string {
  const resolved: string[] = [];
  const queue = [...components];
  let links = 0;
  while (queue.length > 0) {
    const part = queue.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (queue.length === 0 && !followFinal) {
      resolved.push(part);
      break;
    }
    const candidate = join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw invalidArgument(`too many levels of symbolic links resolving ${posix.join(...components)}`);
    const target = readlinkSync(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    queue.unshift(...target.split('/'));
  }
  return join(root, ...resolved);
}
