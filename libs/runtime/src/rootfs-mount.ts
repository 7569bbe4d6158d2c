import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { internal, invalidArgument } from '@berth/errors';
import type { types } from '@berth/proto';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}

// Mounts the snapshot's mounts (containerd's mount.Mount list: overlay, or a bind of a single
// layer) onto the bundle's rootfs directory, in order.
export async function mountRootfs(mounts: readonly types.Mount[], target: string): Promise<void> {
  if (mounts.length === 0) throw invalidArgument('the container has no root filesystem mounts');
  for (const mount of mounts) {
    if (mount.type === '' && mount.source === '') throw invalidArgument('a root filesystem mount has neither type nor source');
    const where = mount.target ? join(target, mount.target) : target;
    const options = mount.options.filter((o) => o !== '');
    const isBind = mount.type === 'bind' || options.includes('bind') || options.includes('rbind');
    const args = isBind
      ? ['-o', [...new Set(['bind', ...options])].join(','), mount.source, where]
      : ['-t', mount.type, ...(options.length > 0 ? ['-o', options.join(',')] : []), mount.source || mount.type, where];
    try {
      await run('mount', args);
    } catch (err) {
      throw internal(`mounting the root filesystem: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }
}

// Whether anything is mounted at `path` (or below it).
export async function isMounted(path: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((line) => {
    const mountPoint = line.split(' ')[4];
    return mountPoint !== undefined && (mountPoint === path || mountPoint.startsWith(`${path}/`));
  });
}

// Unmounts everything stacked on the rootfs; a rootfs still busy (a process holding it) is
// detached lazily so that the bundle can go away now.
export async function unmountRootfs(target: string): Promise<void> {
  for (let guard = 0; guard < 16 && (await isMounted(target)); guard++) {
    try {
      await run('umount', ['-R', target]);
    } catch {
      await run('umount', ['-R', '-l', target]).catch(() => undefined);
    }
  }
  if (await isMounted(target)) throw internal(`could not unmount ${target}`);
}
