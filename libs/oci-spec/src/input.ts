import type { LinuxDevice, OciMount } from './oci-types';
import type { DockerSeccompProfile } from './seccomp-profile';

export interface UserIds {
  uid: number;
  gid: number;
  additionalGids: number[];
  home?: string;
}

// 0 = unset. memorySwapBytes is docker's memory+swap total: -1 = unlimited swap, 0 = unset
// (docker then allows as much swap as memory: a total of twice the memory limit).
export interface ResourceLimits {
  memoryBytes: number;
  memorySwapBytes: number;
  nanoCpus: number;
  cpuShares: number;
  pidsLimit: number;
}

// type is RLIMIT_NOFILE style ("nofile" is accepted too).
export interface Rlimit {
  type: string;
  soft: number;
  hard: number;
}

export type SeccompChoice =
  | { mode: 'default'; profile: DockerSeccompProfile }
  | { mode: 'unconfined' }
  | { mode: 'custom'; profile: DockerSeccompProfile };

export interface SpecInput {
  id: string;
  args: string[];
  env: string[];
  cwd: string;
  user: UserIds;
  hostname: string;
  tty: boolean;
  rootfsPath: string;
  readOnlyRootfs: boolean;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  noNewPrivileges: boolean;
  seccomp: SeccompChoice;
  resources: ResourceLimits;
  networkMode: 'none' | 'host';
  cgroupsPath: string;
  rlimits: Rlimit[];
  // Used only when privileged (the adapter lists /dev).
  hostDevices: LinuxDevice[];
  annotations?: Record<string, string>;

  // Capabilities the daemon itself holds (CapEff of /proc/self/status, see capabilitiesFromMask).
  // Like docker, privileged and ALL mean "all of these", and adding one outside them is refused,
  // since runc cannot grant what its parent lacks. Unset: every capability the kernel knows.
  hostCapabilities?: readonly string[];
  // The host architecture for seccomp filtering; defaults to process.arch.
  arch?: NodeJS.Architecture;
  // `uname -r`, for seccomp rules with minKernel; unset means every minKernel is met.
  kernelRelease?: string;
  // False where the kernel has no swap accounting (no memory.memsw.*): swap limits are then
  // dropped, as docker does, instead of making runc fail.
  swapLimitSupported?: boolean;
  // Logical CPUs on the host, to refuse more nanoCpus than exist (docker's check).
  hostCpus?: number;
  // Overrides/extends docker's default network sysctls (set only with a private netns).
  sysctls?: Record<string, string>;
  // Bind mounts etc. appended after the defaults (e.g. /etc/hosts, /etc/resolv.conf).
  extraMounts?: OciMount[];
  // Initial terminal size when tty.
  consoleSize?: { height: number; width: number };
  // /dev/shm size in bytes (docker --shm-size); default 64 MiB.
  shmSizeBytes?: number;
}
