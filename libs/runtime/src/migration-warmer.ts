import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from './abortable-sleep';

// The cgroup.procs file of the cgroup this process is in, from /proc/self/cgroup's lines
// ("ID:CONTROLLERS:PATH"): the v2 one ("0::PATH") where v2 is mounted (alone, or as hybrid's
// "unified"), else the v1 pids hierarchy's. Undefined when neither is there.
export function ownProcsFile(mountRoot: string, selfCgroup: string, layout: 'v2' | 'hybrid' | 'v1'): string | undefined {
  const entries = selfCgroup.split('\n').flatMap((line) => {
    const match = /^(\d+):([^:]*):(\/.*)$/.exec(line);
    return match === null ? [] : [{ id: match[1], controllers: (match[2] ?? '').split(','), path: match[3] ?? '/' }];
  });
  if (layout !== 'v1') {
    const v2 = entries.find((entry) => entry.id === '0' && entry.controllers.join('') === '');
    if (v2 !== undefined) return join(mountRoot, layout === 'hybrid' ? 'unified' : '', v2.path, 'cgroup.procs');
  }
  const pids = entries.find((entry) => entry.controllers.includes('pids'));
  return pids === undefined ? undefined : join(mountRoot, 'pids', pids.path, 'cgroup.procs');
}

// Moving a process between cgroups takes a lock that every hierarchy shares, and the first move
// after a quiet moment waits for an RCU grace period before it takes it: 7 to 13 ms on this kind
// of host, which runc would spend in its first write of the container's init into its cgroup, on
// the way to every start. The lock stays ready for about a grace period after the last move. So
// while a runtime starts a container, the shim moves itself into the cgroup it is in already (a
// move that changes nothing) at once and then every few milliseconds: the wait happens in the
// background, early, and runc's moves find the lock ready. Best effort: where the cgroup files
// cannot be written (a read-only /sys/fs/cgroup), it stops trying.
const KEEP_WARM_INTERVAL_MS = 3;

export type MoveInto = (procsFile: string, pid: string) => Promise<void>;

export class MigrationWarmer {
  private target: string | undefined | null = null;
  private holders = 0;
  private running = false;

  constructor(
    private readonly mountRoot: string,
    private readonly layout: 'v2' | 'hybrid' | 'v1',
    private readonly readSelfCgroup: () => string = () => readFileSync('/proc/self/cgroup', 'utf8'),
    private readonly moveInto: MoveInto = (procsFile, pid) => writeFile(procsFile, pid),
  ) {}

  // Keeps the lock ready until the returned function is called; returns at once.
  hold(): () => void {
    this.holders++;
    if (!this.running) void this.keepWarm();
    let released = false;
    return () => {
      if (!released) this.holders--;
      released = true;
    };
  }

  private async keepWarm(): Promise<void> {
    this.running = true;
    try {
      while (this.holders > 0 && (await this.move())) await sleep(KEEP_WARM_INTERVAL_MS);
    } finally {
      this.running = false;
    }
  }

  private async move(): Promise<boolean> {
    if (this.target === null) {
      try {
        this.target = ownProcsFile(this.mountRoot, this.readSelfCgroup(), this.layout);
      } catch {
        this.target = undefined;
      }
    }
    if (this.target === undefined) return false;
    try {
      await this.moveInto(this.target, String(process.pid));
      return true;
    } catch {
      this.target = undefined;
      return false;
    }
  }
}
