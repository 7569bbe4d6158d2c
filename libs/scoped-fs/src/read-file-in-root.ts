import { constants } from 'node:fs';
import { open, readlink, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { cleanComponents, resolveInRootSync } from './resolve-in-root';

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

// Reads a small regular file of a root filesystem that may be hostile: no symlink leads out of
// the root (also not one swapped in while we look: the opened file is checked), and FIFOs,
// devices and huge files are refused. Undefined when there is no such readable file.
export async function readFileInRoot(root: string, path: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
  const realRoot = await realpath(root);
  let hostPath: string;
  try {
    hostPath = resolveInRootSync(realRoot, cleanComponents(path), true);
  } catch {
    return undefined;
  }
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
