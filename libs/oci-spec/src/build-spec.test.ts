import { existsSync, readFileSync } from 'node:fs';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, capabilitiesFromMask } from './capabilities';
import { buildSpec } from './build-spec';
import { DEFAULT_PATH } from './env';
import { parseDockerSeccompProfile } from './seccomp-profile';
import { serializeProcess, serializeSpec } from './serialize';
import { RLIM_INFINITY } from './rlimits';
import type { SpecInput } from './input';

// A minimal valid input for tests; override what a test is about.
export function specInput(overrides: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'c1',
    args: ['/bin/sh', '-c', 'true'],
    env: [],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'abc123',
    tty: false,
    rootfsPath: '/var/lib/berth/c1/rootfs',
    readOnlyRootfs: false,
    privileged: false,
    capAdd: [],
    capDrop: [],
    noNewPrivileges: false,
    seccomp: { mode: 'unconfined' },
    resources: { memoryBytes: 0, memorySwapBytes: 0, nanoCpus: 0, cpuShares: 0, pidsLimit: 0 },
    networkMode: 'none',
    cgroupsPath: '/berth/c1',
    rlimits: [],
    hostDevices: [],
    arch: 'x64',
    ...overrides,
  };
}

const profile = parseDockerSeccompProfile(
  JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
    syscalls: [
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    ],
  }),
);

describe('buildSpec defaults', () => {
  const spec = buildSpec(specInput());

  it('gives docker default capabilities and nothing inheritable', () => {
    const caps = spec.process.capabilities;
    for (const set of [caps.bounding, caps.effective, caps.permitted]) expect(set).toEqual([...DEFAULT_CAPABILITIES]);
    expect(caps.inheritable).toEqual([]);
    expect(caps.ambient).toEqual([]);
  });

  it('keeps the same capability sets for non-root users', () => {
    const user = buildSpec(specInput({ user: { uid: 1000, gid: 1000, additionalGids: [10] } }));
    expect(user.process.capabilities).toEqual(spec.process.capabilities);
    expect(user.process.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10] });
  });

  it('masks and read-only-mounts docker paths', () => {
    expect(spec.linux.maskedPaths).toEqual([
      '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
      '/proc/sched_debug', '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap',
      '/sys/firmware',
    ]);
    expect(spec.linux.readonlyPaths).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('mounts docker filesystems', () => {
    const byDest = Object.fromEntries(spec.mounts.map((m) => [m.destination, m]));
    expect(Object.keys(byDest)).toEqual(['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
    expect(byDest['/proc']).toEqual({ destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] });
    expect(byDest['/dev']?.options).toEqual(['nosuid', 'strictatime', 'mode=755', 'size=65536k']);
    expect(byDest['/dev/pts']?.options).toEqual(['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
    expect(byDest['/sys']?.options).toContain('ro');
    expect(byDest['/sys/fs/cgroup']?.options).toContain('ro');
    expect(byDest['/dev/shm']?.options).toEqual(['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864']);
  });

  it('denies devices but the standard ones', () => {
    const rules = spec.linux.resources.devices;
    expect(rules[0]).toEqual({ allow: false, access: 'rwm' });
    expect(rules).toContainEqual({ allow: true, type: 'c', access: 'm' });
    expect(rules).toContainEqual({ allow: true, type: 'b', access: 'm' });
    for (const [major, minor] of [[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2]]) {
      expect(rules).toContainEqual({ allow: true, type: 'c', major, minor, access: 'rwm' });
    }
    expect(rules).toContainEqual({ allow: true, type: 'c', major: 136, access: 'rwm' });
    // runc's cgroup v1 emulator refuses a deny that follows a wildcard allow.
    const fuseDeny = rules.findIndex((r) => !r.allow && r.major === 10 && r.minor === 229);
    const wildcard = rules.findIndex((r) => r.allow && r.type === 'c' && r.major === undefined);
    expect(fuseDeny).toBeGreaterThan(0);
    expect(fuseDeny).toBeLessThan(wildcard);
    expect(spec.linux.devices).toEqual([]);
  });

  it('unshares pid, mount, uts, ipc and network', () => {
    expect(spec.linux.namespaces.map((ns) => ns.type).sort()).toEqual(['ipc', 'mount', 'network', 'pid', 'uts']);
    expect(spec.linux.sysctl).toEqual({
      'net.ipv4.ping_group_range': '0 2147483647',
      'net.ipv4.ip_unprivileged_port_start': '0',
    });
  });

  it('copies the process and root fields', () => {
    expect(spec.ociVersion).toBe('1.0.2');
    expect(spec.root).toEqual({ path: '/var/lib/berth/c1/rootfs', readonly: false });
    expect(spec.hostname).toBe('abc123');
    expect(spec.process).toMatchObject({
      terminal: false,
      args: ['/bin/sh', '-c', 'true'],
      cwd: '/',
      env: [`PATH=${DEFAULT_PATH}`, 'HOSTNAME=abc123'],
      noNewPrivileges: false,
      oomScoreAdj: 0,
      rlimits: [],
    });
    expect(spec.linux.cgroupsPath).toBe('/berth/c1');
    expect(spec.linux.seccomp).toBeUndefined();
    expect(spec.annotations).toBeUndefined();
  });
});

describe('buildSpec options', () => {
  it('host network keeps the host netns and sets no net sysctls', () => {
    const spec = buildSpec(specInput({ networkMode: 'host' }));
    expect(spec.linux.namespaces.map((ns) => ns.type)).not.toContain('network');
    expect(spec.linux.sysctl).toBeUndefined();
  });

  it('privileged gets everything: caps, devices, writable /sys, no masks, no default seccomp', () => {
    const host = capabilitiesFromMask('000001fffeffffff');
    const hostDevices = [{ path: '/dev/sda', type: 'b' as const, major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6 }];
    const spec = buildSpec(
      specInput({ privileged: true, hostDevices, hostCapabilities: host, seccomp: { mode: 'default', profile } }),
    );
    expect(spec.process.capabilities.bounding).toEqual(host);
    expect(spec.process.capabilities.effective).toEqual(host);
    expect(buildSpec(specInput({ privileged: true })).process.capabilities.bounding).toEqual([...ALL_CAPABILITIES]);
    expect(spec.linux.devices).toEqual(hostDevices);
    expect(spec.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(spec.linux.maskedPaths).toEqual([]);
    expect(spec.linux.readonlyPaths).toEqual([]);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).not.toContain('ro');
    expect(spec.mounts.find((m) => m.destination === '/sys/fs/cgroup')?.options).not.toContain('ro');
    expect(spec.linux.seccomp).toBeUndefined();
  });

  it('privileged keeps a custom seccomp profile, as docker does', () => {
    const spec = buildSpec(specInput({ privileged: true, seccomp: { mode: 'custom', profile } }));
    expect(spec.linux.seccomp?.defaultErrnoRet).toBe(38);
  });

  it('default seccomp answers EPERM and keeps per-rule errnos', () => {
    const seccomp = buildSpec(specInput({ seccomp: { mode: 'default', profile } })).linux.seccomp;
    expect(seccomp).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [
        { names: ['read'], action: 'SCMP_ACT_ALLOW' },
        { names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      ],
    });
  });

  it('filters seccomp rules by the container capabilities', () => {
    const seccomp = buildSpec(specInput({ capAdd: ['SYS_ADMIN'], seccomp: { mode: 'default', profile } })).linux.seccomp;
    expect(seccomp?.syscalls).toContainEqual({ names: ['bpf'], action: 'SCMP_ACT_ALLOW' });
  });

  it('custom seccomp keeps the profile default action', () => {
    const seccomp = buildSpec(specInput({ seccomp: { mode: 'custom', profile } })).linux.seccomp;
    expect(seccomp?.defaultErrnoRet).toBe(38);
  });

  it('sets tty, read-only root, no_new_privileges, rlimits, resources, annotations', () => {
    const spec = buildSpec(
      specInput({
        tty: true,
        consoleSize: { height: 24, width: 80 },
        readOnlyRootfs: true,
        noNewPrivileges: true,
        rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 }],
        resources: { memoryBytes: 64 << 20, memorySwapBytes: 0, nanoCpus: 5e8, cpuShares: 0, pidsLimit: 50 },
        annotations: { 'org.berth.name': 'web' },
        extraMounts: [{ destination: '/etc/hosts', type: 'bind', source: '/x/hosts', options: ['rbind', 'ro'] }],
      }),
    );
    expect(spec.process.terminal).toBe(true);
    expect(spec.process.consoleSize).toEqual({ height: 24, width: 80 });
    expect(spec.process.env).toContain('TERM=xterm');
    expect(spec.root.readonly).toBe(true);
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 }]);
    expect(spec.linux.resources).toMatchObject({
      memory: { limit: 64 << 20, swap: 128 << 20 },
      cpu: { period: 100000, quota: 50000 },
      pids: { limit: 50 },
    });
    expect(spec.annotations).toEqual({ 'org.berth.name': 'web' });
    expect(spec.mounts.at(-1)?.destination).toBe('/etc/hosts');
  });

  it.each([
    [{ args: [] }, 'no command specified'],
    [{ args: [''] }, 'no command specified'],
    [{ cwd: 'tmp' }, "the working directory 'tmp' is invalid, it needs to be an absolute path"],
    [{ id: 'a/b' }, 'invalid container id'],
    [{ rootfsPath: '' }, 'rootfs path must not be empty'],
    [{ user: { uid: -1, gid: 0, additionalGids: [] } }, 'invalid user ids'],
    [{ capAdd: ['FOO'] }, 'unknown capability: "CAP_FOO"'],
    [{ env: ['=x'] }, 'invalid environment variable'],
    [{ resources: { memoryBytes: 10, memorySwapBytes: 0, nanoCpus: 0, cpuShares: 0, pidsLimit: 0 } }, 'Minimum memory'],
  ])('refuses %j', (overrides, message) => {
    expect(() => buildSpec(specInput(overrides))).toThrow(message);
  });
});

describe('serializeSpec', () => {
  it('writes unlimited rlimits as RLIM_INFINITY', () => {
    const spec = buildSpec(specInput({ rlimits: [{ type: 'RLIMIT_CORE', soft: 0, hard: -1 }] }));
    expect(spec.process.rlimits[0]?.hard).toBe(RLIM_INFINITY);
    const text = serializeSpec(spec);
    expect(text).toContain('"hard": 18446744073709551615');
    expect(text).toContain('"soft": 0');
    expect(serializeProcess(spec.process)).toContain('"hard": 18446744073709551615');
  });
});

const CONTAINERS_PROFILE = '/usr/share/containers/seccomp.json';
(existsSync(CONTAINERS_PROFILE) ? it : it.skip)('builds with the installed default profile', () => {
  const realProfile = parseDockerSeccompProfile(readFileSync(CONTAINERS_PROFILE, 'utf8'));
  const seccomp = buildSpec(specInput({ seccomp: { mode: 'default', profile: realProfile } })).linux.seccomp;
  expect(seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
  expect(seccomp?.defaultErrnoRet).toBe(1);
  expect(seccomp?.syscalls.some((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes('read'))).toBe(true);
});
