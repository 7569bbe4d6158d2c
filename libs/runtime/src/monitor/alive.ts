import { readFile } from 'node:fs/promises';
import { readPidFile } from './pid-file';

// Whether the monitor named by its pid file still runs. The pid must also still be a
// berth-monitor (pids are reused) and not a zombie.
export async function monitorIsAlive(monitorPidFile: string): Promise<boolean> {
  const pid = await readPidFile(monitorPidFile);
  if (pid === undefined) return false;
  try {
    const [cmdline, stat] = await Promise.all([readFile(`/proc/${pid}/cmdline`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return (cmdline.split('\0')[0] ?? '').endsWith('berth-monitor') && state !== 'Z' && state !== 'X';
  } catch {
    return false; // gone
  }
}
