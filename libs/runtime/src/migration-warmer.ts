import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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
// of host, spent in runc's first write of its init into the container's cgroup, on the way to
// every start. A move of the shim into the cgroup it is in already changes nothing but starts
// that wait at once, in the background, so that runc's moves a few milliseconds later find the
// lock ready (it stays so for about a grace period after the last move). Best effort: where the
// cgroup files cannot be written (a read-only /sys/fs/cgroup), it stops trying.
export class MigrationWarmer {
  private target: string | undefined | null = null;

  constructor(
    private readonly mountRoot: string,
    private readonly layout: 'v2' | 'hybrid' | 'v1',
    private readonly readSelfCgroup: () => string = () => readFileSync('/proc/self/cgroup', 'utf8'),
  ) {}

  warm(): void {
    if (this.target === null) {
      try {
        this.target = ownProcsFile(this.mountRoot, this.readSelfCgroup(), this.layout);
      } catch {
        this.target = undefined;
      }
    }
    const target = this.target;
    if (target === undefined) return;
    void writeFile(target, String(process.pid)).catch(() => {
      this.target = undefined;
    });
  }
}
