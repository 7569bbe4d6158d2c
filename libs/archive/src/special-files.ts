import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Node has no mknod or setxattr: these go through coreutils' mknod and attr's setfattr.

// overlayfs's whiteout: a character device 0:0 hides the same name in lower layers.
export async function makeWhiteout(path: string): Promise<void> {
  await run('mknod', ['--', path, 'c', '0', '0']);
}

// overlayfs's opaque directory: nothing below it in lower layers shows through.
export async function markOpaque(dir: string): Promise<void> {
  await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', '--', dir]);
}

export async function makeFifo(path: string, mode: number): Promise<void> {
  await run('mknod', ['-m', (mode & 0o777).toString(8), '--', path, 'p']);
}

// Device nodes, as docker makes them when unpacking as root; the device cgroup decides whether a
// container may open them.
export async function makeDevice(path: string, kind: 'c' | 'b', major: number, minor: number, mode: number): Promise<void> {
  await run('mknod', ['-m', (mode & 0o777).toString(8), '--', path, kind, String(major), String(minor)]);
}
