import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_CAPABILITIES, normalizeCapabilities } from './capabilities';
import type { LinuxSeccomp } from './oci-types';
import { toOciSeccomp } from './seccomp';
import { parseDockerSeccompProfile } from './seccomp-profile';

const CONTAINERS_PROFILE = '/usr/share/containers/seccomp.json';
const haveProfile = existsSync(CONTAINERS_PROFILE);

// The shape of moby's default.json, cut down to the rules these tests are about.
const dockerStyleProfile = JSON.stringify({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
    { names: ['reboot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_BOOT'] } },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['kcmp'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_PTRACE'] } },
    { names: ['kcmp'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_PTRACE'] } },
    {
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
    },
  ],
});

function allowed(seccomp: LinuxSeccomp, name: string): boolean {
  return seccomp.syscalls.some((rule) => rule.action === 'SCMP_ACT_ALLOW' && rule.names.includes(name));
}

const x64 = { capabilities: DEFAULT_CAPABILITIES, arch: 'x64' as const };

describe('toOciSeccomp with a docker-style profile', () => {
  const profile = parseDockerSeccompProfile(dockerStyleProfile);

  it('keeps default action and expands the host arch with its sub-arches', () => {
    const seccomp = toOciSeccomp(profile, x64);
    expect(seccomp.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(seccomp.defaultErrnoRet).toBe(1);
    expect(seccomp.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(toOciSeccomp(profile, { ...x64, arch: 'arm64' }).architectures).toEqual([
      'SCMP_ARCH_AARCH64',
      'SCMP_ARCH_ARM',
    ]);
  });

  it('allows read, leaves reboot out without CAP_SYS_BOOT', () => {
    const seccomp = toOciSeccomp(profile, x64);
    expect(allowed(seccomp, 'read')).toBe(true);
    expect(seccomp.syscalls.some((rule) => rule.names.includes('reboot'))).toBe(false);
    const withBoot = toOciSeccomp(profile, { ...x64, capabilities: normalizeCapabilities(['SYS_BOOT'], [], false) });
    expect(allowed(withBoot, 'reboot')).toBe(true);
  });

  it('toggles cap-gated rules with the capabilities', () => {
    const plain = toOciSeccomp(profile, x64);
    expect(allowed(plain, 'kcmp')).toBe(false);
    expect(plain.syscalls.find((rule) => rule.names.includes('kcmp'))).toEqual({
      names: ['kcmp'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 1,
    });
    const traced = toOciSeccomp(profile, { ...x64, capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE'] });
    expect(allowed(traced, 'kcmp')).toBe(true);
    expect(traced.syscalls.filter((rule) => rule.names.includes('kcmp'))).toHaveLength(1);
  });

  it('filters by arch and kernel version', () => {
    expect(allowed(toOciSeccomp(profile, x64), 'arch_prctl')).toBe(true);
    expect(allowed(toOciSeccomp(profile, { ...x64, arch: 'arm64' }), 'arch_prctl')).toBe(false);
    expect(allowed(toOciSeccomp(profile, { ...x64, kernelRelease: '4.4.0-210-generic' }), 'ptrace')).toBe(false);
    expect(allowed(toOciSeccomp(profile, { ...x64, kernelRelease: '6.18.44-fc-v669' }), 'ptrace')).toBe(true);
  });

  it("lists each rule's names from the host's highest syscall number down, for libseccomp", () => {
    // exit_group 231, write 1, read 0 on x86_64.
    expect(toOciSeccomp(profile, x64).syscalls[0]?.names).toEqual(['exit_group', 'write', 'read']);
    // exit_group 94, write 64, read 63 in arm64's generic table.
    expect(toOciSeccomp(profile, { ...x64, arch: 'arm64' }).syscalls[0]?.names).toEqual(['exit_group', 'write', 'read']);
    expect(profile.syscalls[0]?.names).toEqual(['read', 'write', 'exit_group']);
  });

  it('writes args without docker-only fields', () => {
    const rule = toOciSeccomp(profile, x64).syscalls.find((r) => r.names.includes('personality'));
    expect(rule).toEqual({
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }],
    });
  });
});

(haveProfile ? describe : describe.skip)(`toOciSeccomp with ${CONTAINERS_PROFILE}`, () => {
  const profile = haveProfile ? parseDockerSeccompProfile(readFileSync(CONTAINERS_PROFILE, 'utf8')) : undefined;

  it('parses and converts for the default capabilities', () => {
    const seccomp = toOciSeccomp(profile!, x64);
    expect(allowed(seccomp, 'read')).toBe(true);
    expect(allowed(seccomp, 'arch_prctl')).toBe(true);
    expect(allowed(seccomp, 's390_runtime_instr')).toBe(false);
    expect(seccomp.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    // No rule keeps includes/excludes/comment.
    for (const rule of seccomp.syscalls) expect(Object.keys(rule).sort()).toEqual(expect.arrayContaining(['action', 'names']));
    expect(JSON.stringify(seccomp)).not.toMatch(/includes|excludes|comment/);
  });

  it('gates CAP_SYS_ADMIN and CAP_SYS_PTRACE syscalls on the bounding set', () => {
    const plain = toOciSeccomp(profile!, x64);
    for (const name of ['bpf', 'kcmp', 'perf_event_open']) expect(allowed(plain, name)).toBe(false);
    const admin = toOciSeccomp(profile!, {
      ...x64,
      capabilities: normalizeCapabilities(['SYS_ADMIN', 'SYS_PTRACE'], [], false),
    });
    for (const name of ['bpf', 'kcmp', 'perf_event_open']) expect(allowed(admin, name)).toBe(true);
  });

  it('drops chroot when CAP_SYS_CHROOT is dropped', () => {
    expect(allowed(toOciSeccomp(profile!, x64), 'chroot')).toBe(true);
    const noChroot = toOciSeccomp(profile!, { ...x64, capabilities: normalizeCapabilities([], ['SYS_CHROOT'], false) });
    expect(allowed(noChroot, 'chroot')).toBe(false);
  });
});

describe('parseDockerSeccompProfile', () => {
  it.each([
    ['not json', /invalid seccomp profile: /],
    ['[]', /profile: expected an object/],
    ['{"defaultAction":"SCMP_ACT_NOPE"}', /defaultAction: unknown action "SCMP_ACT_NOPE"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}', /syscalls\[0\]: no syscall names/],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"LT"}]}]}',
      /syscalls\[0\]\.args\[0\]\.op: unknown operator "LT"/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[]}',
      /both 'architectures' and 'archMap'/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}]}',
      /minKernel: invalid kernel version "4"/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}',
      /too large/,
    ],
  ])('refuses %s', (json, message) => {
    expect(() => parseDockerSeccompProfile(json)).toThrow(message);
  });

  it('accepts the legacy single name field', () => {
    const profile = parseDockerSeccompProfile(
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"reboot","action":"SCMP_ACT_ERRNO"}]}',
    );
    expect(profile.syscalls[0]?.names).toEqual(['reboot']);
  });
});
