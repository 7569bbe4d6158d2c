import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

// Bytes used by the files under a directory (hard links counted once).
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (path: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(path);
    } catch {
      return;
    }
    for (const name of names) {
      const child = join(path, name);
      const stats = await lstat(child);
      const key = `${stats.dev}:${stats.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (stats.isDirectory()) await walk(child);
      else total += stats.size;
    }
  };
  await walk(dir);
  return total;
}
