import type { HostCgroups } from './cgroups';
import type { HostFacts } from './host-facts';
import type { MonitorPort } from './monitor-port';
import type { OciRuntime } from './oci-runtime';
import type { RuntimePaths } from './runtime-paths';
import type { SeccompProfiles } from './seccomp-profiles';

export interface ShimLogger {
  info(message: string): void;
  warn(message: string): void;
}

// Everything the container operations share: host facts, collaborators and settings.
export interface ShimContext {
  paths: RuntimePaths;
  cgroupParent: string;
  defaultRuntime: string;
  monitorBinary: string;
  monitor: MonitorPort;
  cgroups: HostCgroups;
  seccomp: SeccompProfiles;
  host: HostFacts;
  // The OCI runtime CLI for a binary; all share paths.state as their --root.
  ociRuntime(binary: string): OciRuntime;
  logger: ShimLogger;
}
