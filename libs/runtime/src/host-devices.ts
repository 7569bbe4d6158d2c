import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinuxDevice } from '@berth/oci-spec';

// Directories of /dev that are not host devices a privileged container should get (runc's
// GetDevices skips the same ones).
const SKIPPED = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

// Linux's dev_t encoding (glibc gnu_dev_major/minor).
export function deviceNumbers(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

// Every character and block device under /dev, for --privileged.
export async function listHostDevices(dir = '/dev'): Promise<LinuxDevice[]> {
  const devices: LinuxDevice[] = [];
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return devices;
  }
  for (const name of entries) {
    const path = join(dir, name);
    let info;
    try {
      info = await lstat(path);
    } catch {
      continue;
    }
    if (info.isDirectory()) {
      if (!SKIPPED.has(name)) devices.push(...(await listHostDevices(path)));
      continue;
    }
    // /dev/console belongs to the container's own terminal.
    if (path === '/dev/console') continue;
    const type = info.isCharacterDevice() ? 'c' : info.isBlockDevice() ? 'b' : undefined;
    if (!type) continue;
    const { major, minor } = deviceNumbers(info.rdev);
    devices.push({ path, type, major, minor, fileMode: info.mode & 0o7777, uid: info.uid, gid: info.gid });
  }
  return devices;
}
