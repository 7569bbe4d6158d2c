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
  const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  // A warmer whose own cgroup is `line`, counting its reads of it and its moves (none at once).
  const warmerIn = (line: string, fail = false) => {
    const seen = { reads: 0, moves: 0, inFlight: 0, mostInFlight: 0, files: new Set<string>(), pids: new Set<string>() };
    const warmer = new MigrationWarmer(
      '/sys/fs/cgroup',
      'hybrid',
      () => {
        seen.reads++;
        return line;
      },
      async (file, pid) => {
        seen.moves++;
        seen.inFlight++;
        seen.mostInFlight = Math.max(seen.mostInFlight, seen.inFlight);
        seen.files.add(file);
        seen.pids.add(pid);
        await pause(1);
        seen.inFlight--;
        if (fail) throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
      },
    );
    return { warmer, seen };
  };

  it('moves this process into its own cgroup at once and again while held, never two moves at a time', async () => {
    const { warmer, seen } = warmerIn('0::/svc\n');
    const cool = warmer.hold();
    const alsoCool = warmer.hold();
    expect(seen.moves).toBe(1);
    await pause(40);
    cool();
    await pause(10);
    expect(seen.moves).toBeGreaterThan(3);
    alsoCool();
    await pause(20);
    const after = seen.moves;
    await pause(30);
    expect(seen.moves).toBe(after);
    expect([...seen.files]).toEqual(['/sys/fs/cgroup/unified/svc/cgroup.procs']);
    expect([...seen.pids]).toEqual([String(process.pid)]);
    expect(seen.mostInFlight).toBe(1);
    expect(seen.reads).toBe(1);
  });

  it('stops trying once a move failed', async () => {
    const { warmer, seen } = warmerIn('0::/svc\n', true);
    warmer.hold()();
    await pause(20);
    const cool = warmer.hold();
    await pause(20);
    cool();
    expect(seen.moves).toBe(1);
    expect(seen.reads).toBe(1);
  });

  it('moves nothing where it finds no cgroup of its own', async () => {
    const { warmer, seen } = warmerIn('3:cpu,cpuacct:/a\n');
    const cool = warmer.hold();
    await pause(20);
    cool();
    expect(seen.moves).toBe(0);
  });
});
