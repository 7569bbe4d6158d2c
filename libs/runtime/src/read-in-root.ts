import { constants } from 'node:fs';
import { lstat, open, readlink, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

const MAX_SYMLINKS = 40;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

// Resolves `path` as if `root` were `/`: symlinks are followed by hand and never lead above the
// root, the way chroot would resolve them. Returns the host path, or undefined if a component is
// missing or the links loop.
export async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  const realRoot = await realpath(root);
  const resolved: string[] = [];
  const pending = path.split('/').filter((part) => part !== '');
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(realRoot, ...resolved, part);
    let info;
    try {
      info = await lstat(candidate);
    } catch {
      return undefined;
    }
    if (!info.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) return undefined;
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((p) => p !== ''));
  }
  return join(realRoot, ...resolved);
}

// Reads a small regular file of a container's root filesystem, which may be hostile: no symlink
// leads out of the root (also not one swapped in while we look: the opened file is checked), and
// FIFOs, devices and huge files are refused. Undefined when there is no such readable file.
export async function readFileInRoot(root: string, path: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
  const hostPath = await resolveInRoot(root, path);
  if (hostPath === undefined) return undefined;
  const realRoot = await realpath(root);
  let handle;
  try {
    handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  try {
    const opened = await readlink(`/proc/self/fd/${handle.fd}`);
    if (!opened.startsWith(realRoot + sep)) return undefined;
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
