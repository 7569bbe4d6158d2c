import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { internal } from '@berth/errors';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
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
