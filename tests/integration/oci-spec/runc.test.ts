// Runs the specs @berth/oci-spec builds under the real runc and reads the result from inside the
// container: docker's capability mask, seccomp mode 2, limits, mounts and a privileged container.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSpec, capabilitiesFromMask, parseDockerSeccompProfile, serializeSpec, type SpecInput } from '@berth/oci-spec';

const BUSYBOX = '/bin/busybox';
const PROFILE = '/usr/share/containers/seccomp.json';
const CGROUP_ROOT = '/sys/fs/cgroup';

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (spawnSync('sh', ['-c', 'command -v runc']).status !== 0) return 'runc is not installed';
  if (!existsSync(BUSYBOX)) return `${BUSYBOX} is missing (apt-get install busybox-static)`;
  if (!existsSync(PROFILE)) return `${PROFILE} is missing (apt-get install golang-github-containers-common)`;
  return undefined;
}

const reason = skipReason();
const suite = reason ? describe.skip : describe;
if (reason) process.stderr.write(`SKIPPED integration suite "oci-spec under runc": ${reason}\n`);

suite('oci-spec under runc', () => {
  // Made in beforeAll, not when the file is collected: a skipped suite runs no afterAll.
  let bundle = '';
  const parentCgroup = `berth-ocispec-${process.pid}`;
  let counter = 0;

  beforeAll(() => {
    bundle = mkdtempSync('/tmp/berth-ocispec-');
    const bin = join(bundle, 'rootfs/bin');
    mkdirSync(bin, { recursive: true });
    for (const dir of ['proc', 'sys', 'dev', 'etc', 'tmp']) mkdirSync(join(bundle, 'rootfs', dir));
    copyFileSync(BUSYBOX, join(bin, 'busybox'));
    for (const applet of ['sh', 'cat', 'grep', 'id', 'mount', 'ls', 'hostname', 'sysctl']) symlinkSync('busybox', join(bin, applet));
  });

  afterAll(() => {
    for (const controller of readdirSync(CGROUP_ROOT)) {
      const dir = join(CGROUP_ROOT, controller, parentCgroup);
      if (existsSync(dir)) rmdirSync(dir);
    }
    rmSync(bundle, { recursive: true, force: true });
  });

  function run(script: string, overrides: Partial<SpecInput> = {}): string {
    const id = `berth-ocispec-${process.pid}-${++counter}`;
    const capEff = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
    const spec = buildSpec({
      id,
      args: ['/bin/sh', '-c', script],
      env: [],
      cwd: '/',
      user: { uid: 0, gid: 0, additionalGids: [] },
      hostname: 'ocispec',
      tty: false,
      rootfsPath: join(bundle, 'rootfs'),
      readOnlyRootfs: true,
      privileged: false,
      capAdd: [],
      capDrop: [],
      noNewPrivileges: false,
      seccomp: { mode: 'default', profile: parseDockerSeccompProfile(readFileSync(PROFILE, 'utf8')) },
      resources: { memoryBytes: 0, memorySwapBytes: 0, nanoCpus: 0, cpuShares: 0, pidsLimit: 0 },
      networkMode: 'none',
      cgroupsPath: `/${parentCgroup}/${id}`,
      rlimits: [],
      hostDevices: [],
      hostCapabilities: capabilitiesFromMask(capEff),
      ...overrides,
    });
    writeFileSync(join(bundle, 'config.json'), serializeSpec(spec));
    const result = spawnSync('runc', ['run', id], { cwd: bundle, encoding: 'utf8', timeout: 30_000 });
    spawnSync('runc', ['delete', '--force', id]);
    if (result.status !== 0) throw new Error(`runc run exited ${result.status}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  it('gives docker capabilities, seccomp filter mode and the default mounts', () => {
    const out = run('grep -E "^(CapEff|CapBnd|CapInh|Seccomp):" /proc/self/status; hostname; mount; ls /dev');
    expect(out).toMatch(/CapEff:\s+00000000a80425fb/);
    expect(out).toMatch(/CapBnd:\s+00000000a80425fb/);
    expect(out).toMatch(/CapInh:\s+0000000000000000/);
    expect(out).toMatch(/Seccomp:\s+2/);
    expect(out).toContain('ocispec');
    expect(out).toMatch(/sysfs on \/sys type sysfs \(ro,/);
    expect(out).toMatch(/proc on \/proc\/sys type proc \(ro,/);
    for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm', 'mqueue']) {
      expect(out.split('\n')).toContain(dev);
    }
  });

  it('drops capabilities for a non-root user but keeps the bounding set', () => {
    const out = run('grep -E "^Cap(Eff|Bnd):" /proc/self/status; id', {
      user: { uid: 1000, gid: 1000, additionalGids: [] },
      noNewPrivileges: true,
    });
    expect(out).toMatch(/CapEff:\s+0000000000000000/);
    expect(out).toMatch(/CapBnd:\s+00000000a80425fb/);
    expect(out).toContain('uid=1000 gid=1000');
  });

  it('applies memory, pids, cpu and rlimits', () => {
    const out = run(
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us; ulimit -n; sysctl -n net.ipv4.ip_unprivileged_port_start',
      {
        resources: { memoryBytes: 64 << 20, memorySwapBytes: 0, nanoCpus: 5e8, cpuShares: 0, pidsLimit: 50 },
        rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1000, hard: 1000 }],
      },
    );
    expect(out.trim().split('\n')).toEqual([String(64 << 20), '50', '50000', '1000', '0']);
  });

  it('runs a privileged container with every capability the host has and no seccomp', () => {
    const capEff = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
    const out = run('grep -E "^(CapEff|Seccomp):" /proc/self/status; mount | grep " /sys "', { privileged: true });
    expect(out).toContain(`CapEff:\t${capEff}`);
    expect(out).toMatch(/Seccomp:\s+0/);
    expect(out).toMatch(/sysfs on \/sys type sysfs \(rw,/);
  });
});
