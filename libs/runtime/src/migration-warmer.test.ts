import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrationWarmer, ownProcsFile } from './migration-warmer';

const HYBRID = '12:pids:/system.slice/berth.service\n4:memory:/system.slice/berth.service\n1:name=systemd:/system.slice/berth.service\n0::/system.slice/berth.service\n';

describe('ownProcsFile', () => {
  it('takes the v2 cgroup on v2 and on hybrid hosts (there under unified)', () => {
    expect(ownProcsFile('/sys/fs/cgroup', '0::/user.slice/x.scope\n', 'v2')).toBe('/sys/fs/cgroup/user.slice/x.scope/cgroup.procs');
    expect(ownProcsFile('/sys/fs/cgroup', HYBRID, 'hybrid')).toBe('/sys/fs/cgroup/unified/system.slice/berth.service/cgroup.procs');
    expect(ownProcsFile('/sys/fs/cgroup', '0::/\n', 'v2')).toBe('/sys/fs/cgroup/cgroup.procs');
  });

  it('takes the pids hierarchy on v1, co-mounted or not', () => {
    expect(ownProcsFile('/sys/fs/cgroup', HYBRID, 'v1')).toBe('/sys/fs/cgroup/pids/system.slice/berth.service/cgroup.procs');
    expect(ownProcsFile('/sys/fs/cgroup', '3:cpu,cpuacct:/a\n2:pids:/b\n', 'v1')).toBe('/sys/fs/cgroup/pids/b/cgroup.procs');
  });

  it('has none to offer without a v2 line or a pids hierarchy', () => {
    expect(ownProcsFile('/sys/fs/cgroup', '3:cpu,cpuacct:/a\n', 'v1')).toBeUndefined();
    expect(ownProcsFile('/sys/fs/cgroup', '', 'v2')).toBeUndefined();
  });
});

describe('MigrationWarmer', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'berth-warmer-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
  // A warmer on the scratch root whose own cgroup is `line`, counting its reads of it.
  const warmerIn = (layout: 'v2' | 'hybrid', line: string): { warmer: MigrationWarmer; reads: () => number } => {
    let reads = 0;
    const warmer = new MigrationWarmer(root, layout, () => {
      reads++;
      return line;
    });
    return { warmer, reads: () => reads };
  };

  it('moves this process into the cgroup it is in, reading its cgroup once', async () => {
    mkdirSync(join(root, 'unified', 'svc'), { recursive: true });
    const procs = join(root, 'unified', 'svc', 'cgroup.procs');
    writeFileSync(procs, '');
    const { warmer, reads } = warmerIn('hybrid', '0::/svc\n');
    warmer.warm();
    await settled();
    warmer.warm();
    await settled();
    expect(readFileSync(procs, 'utf8')).toBe(String(process.pid));
    expect(reads()).toBe(1);
  });

  it('stops trying where the cgroup file cannot be written', async () => {
    const { warmer, reads } = warmerIn('v2', '0::/missing\n');
    warmer.warm();
    await settled();
    warmer.warm();
    warmer.warm();
    await settled();
    expect(reads()).toBe(1);
  });
});
