import type { LinuxDevice, SeccompChoice, SpecInput, UserIds } from '@berth/oci-spec';
import type { runtime } from '@berth/proto';
import type { HostFacts } from './host-facts';
import type { NetworkMode } from './validate-spec';

export interface SpecInputContext {
  spec: runtime.ContainerSpec;
  rootfsPath: string;
  user: UserIds;
  cgroupsPath: string;
  networkMode: NetworkMode;
  seccomp: SeccompChoice;
  hostDevices: LinuxDevice[];
  host: HostFacts;
}

// The spec builder's input for a ContainerSpec: the request plus what only the host knows.
export function toSpecInput(ctx: SpecInputContext): SpecInput {
  const { spec, host } = ctx;
  const security = spec.security;
  const resources = spec.resources;
  return {
    id: spec.id,
    args: spec.args,
    env: spec.env,
    cwd: spec.cwd || '/',
    user: ctx.user,
    hostname: spec.hostname,
    tty: spec.tty,
    rootfsPath: ctx.rootfsPath,
    readOnlyRootfs: security?.readOnlyRootfs ?? false,
    privileged: security?.privileged ?? false,
    capAdd: security?.capAdd ?? [],
    capDrop: security?.capDrop ?? [],
    noNewPrivileges: security?.noNewPrivileges ?? false,
    seccomp: ctx.seccomp,
    resources: {
      memoryBytes: resources?.memoryBytes ?? 0,
      memorySwapBytes: resources?.memorySwapBytes ?? 0,
      nanoCpus: resources?.nanoCpus ?? 0,
      cpuShares: resources?.cpuShares ?? 0,
      pidsLimit: resources?.pidsLimit ?? 0,
    },
    networkMode: ctx.networkMode,
    cgroupsPath: ctx.cgroupsPath,
    rlimits: host.rlimits,
    hostDevices: ctx.hostDevices,
    annotations: spec.labels,
    hostCapabilities: host.capabilities,
    kernelRelease: host.kernelRelease,
    swapLimitSupported: host.swapLimitSupported,
    hostCpus: host.cpus,
  };
}
