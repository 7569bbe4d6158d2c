import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { cleanComponents, resolveInRootSync } from './resolve-in-root';

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

// Reads a small regular file of a root filesystem that may be hostile: no symlink leads out of
// the root (also not one swapped in while we look: the opened file is checked), and FIFOs,
// devices and huge files are refused. Undefined when there is no such readable file.
// Synchronous: its callers read a container's /etc/passwd and /etc/group while the container's
// start waits, and a few system calls on a capped, page-cached file take microseconds where six
// trips each through libuv's thread pool took a millisecond or more.
export function readFileInRootSync(root: string, path: string, maxBytes = DEFAULT_MAX_BYTES): string | undefined {
  const realRoot = realpathSync(root);
  let hostPath: string;
  try {
    hostPath = resolveInRootSync(realRoot, cleanComponents(path), true);
  } catch {
    return undefined;
  }
  let fd: number;
  try {
    fd = openSync(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  try {
    const opened = readlinkSync(`/proc/self/fd/${fd}`);
    if (!opened.startsWith(realRoot + sep)) return undefined;
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(info.size);
    const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
