import type { HostCgroups } from './cgroups';
import type { HostFacts } from './host-facts';
import type { MonitorPort } from './monitor-port';
import type { OciRuntime } from './oci-runtime';
import type { RuntimeBinaries } from './runtime-binary';
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
  // Runtime names (or paths) to binaries, cached; defaultRuntime stands in for "".
  runtimes: RuntimeBinaries;
  // The OCI runtime CLI for a binary; all share paths.state as their --root.
  ociRuntime(binary: string): OciRuntime;
  logger: ShimLogger;
}
