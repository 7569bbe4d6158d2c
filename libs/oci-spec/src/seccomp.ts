import type { LinuxSeccomp, LinuxSyscall } from './oci-types';
import type { DockerSeccompProfile, DockerSeccompRule, SeccompFilter } from './seccomp-profile';
import { seccompInsertionOrder } from './seccomp-order';

export interface SeccompTarget {
  // The container's bounding set: rules are included/excluded by it, as docker does.
  capabilities: readonly string[];
  arch: NodeJS.Architecture;
  // `uname -r`; unset means every minKernel condition is met.
  kernelRelease?: string;
}

// Node's process.arch -> libseccomp's native name (the spelling profiles use in `arches`).
const NATIVE_ARCH: Partial<Record<NodeJS.Architecture, string>> = {
  x64: 'amd64',
  ia32: 'x86',
  arm: 'arm',
  arm64: 'arm64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsel',
  // Node says ppc64 for the little-endian Linux port, the only one it ships for.
  ppc64: 'ppc64le',
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
};

// libseccomp's native name -> the SCMP_ARCH_* constant that archMap entries are keyed by.
const SCMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  x86: 'SCMP_ARCH_X86',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
  mips: 'SCMP_ARCH_MIPS',
  mipsel: 'SCMP_ARCH_MIPSEL',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
};

// Expands a docker profile into the OCI seccomp section runc applies: architectures come from
// the archMap entry of the host arch (with its sub-architectures), and each rule survives only if
// its includes all hold and none of its excludes do.
export function toOciSeccomp(profile: DockerSeccompProfile, opts: SeccompTarget): LinuxSeccomp {
  const native = NATIVE_ARCH[opts.arch] ?? opts.arch;
  const seccomp: LinuxSeccomp = { defaultAction: profile.defaultAction, syscalls: [] };
  if (profile.defaultErrnoRet !== undefined) seccomp.defaultErrnoRet = profile.defaultErrnoRet;
  const architectures = profile.architectures ?? architecturesFor(profile, native);
  if (architectures.length > 0) seccomp.architectures = architectures;
  if (profile.flags && profile.flags.length > 0) seccomp.flags = profile.flags;
  if (profile.listenerPath) seccomp.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) seccomp.listenerMetadata = profile.listenerMetadata;
  const kernel = opts.kernelRelease === undefined ? undefined : kernelVersion(opts.kernelRelease);
  const conditions = { native, capabilities: opts.capabilities, kernel };
  seccomp.syscalls = profile.syscalls.filter((rule) => applies(rule, conditions)).map((rule) => toOciSyscall(rule, native));
  return seccomp;
}

function architecturesFor(profile: DockerSeccompProfile, native: string): string[] {
  const scmp = SCMP_ARCH[native];
  const entry = profile.archMap?.find((candidate) => candidate.architecture === scmp);
  return entry ? [entry.architecture, ...entry.subArchitectures] : [];
}

interface Conditions {
  native: string;
  capabilities: readonly string[];
  kernel: [number, number] | undefined;
}

function applies(rule: DockerSeccompRule, conditions: Conditions): boolean {
  const { includes, excludes } = rule;
  if (excludes && anyHolds(excludes, conditions)) return false;
  if (includes && !allHold(includes, conditions)) return false;
  return true;
}

function anyHolds(filter: SeccompFilter, { native, capabilities, kernel }: Conditions): boolean {
  return (
    (filter.arches?.includes(native) ?? false) ||
    (filter.caps?.some((cap) => capabilities.includes(cap)) ?? false) ||
    (filter.minKernel !== undefined && kernelAtLeast(kernel, filter.minKernel))
  );
}

function allHold(filter: SeccompFilter, { native, capabilities, kernel }: Conditions): boolean {
  return (
    (filter.arches?.includes(native) ?? true) &&
    (filter.caps?.every((cap) => capabilities.includes(cap)) ?? true) &&
    (filter.minKernel === undefined || kernelAtLeast(kernel, filter.minKernel))
  );
}

// Like docker, only "<kernel>.<major>" counts: 5.10.0-rc1-amd64 is 5.10.
function kernelVersion(release: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(release.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function kernelAtLeast(kernel: [number, number] | undefined, minimum: string): boolean {
  if (!kernel) return true;
  const [wantKernel, wantMajor] = minimum.split('.').map(Number) as [number, number];
  return kernel[0] > wantKernel || (kernel[0] === wantKernel && kernel[1] >= wantMajor);
}

function toOciSyscall(rule: DockerSeccompRule, native: string): LinuxSyscall {
  const syscall: LinuxSyscall = { names: seccompInsertionOrder(rule.names, native), action: rule.action };
  if (rule.errnoRet !== undefined) syscall.errnoRet = rule.errnoRet;
  if (rule.args && rule.args.length > 0) syscall.args = rule.args.map((arg) => ({ ...arg }));
  return syscall;
}
