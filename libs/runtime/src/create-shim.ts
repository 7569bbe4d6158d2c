import { join } from 'node:path';
import { HostCgroups } from './cgroups';
import { gatherHostFacts } from './host-facts';
import type { MonitorPort } from './monitor-port';
import { RuncCli } from './oci-runtime';
import { RuntimeBinaries } from './runtime-binary';
import { RuntimeManager } from './runtime-manager';
import { RuntimePaths } from './runtime-paths';
import { SeccompProfiles } from './seccomp-profiles';
import type { ShimLogger } from './shim-context';

export interface ShimOptions {
  runtimeDir: string;
  cgroupParent: string;
  defaultRuntime: string;
  monitorBinary: string;
  seccompProfile: string;
  monitor: MonitorPort;
  logger: ShimLogger;
  cgroupMountRoot?: string;
}

// Assembles a RuntimeManager from its settings and loads what is on disk.
export async function createShim(options: ShimOptions): Promise<RuntimeManager> {
  const paths = new RuntimePaths(options.runtimeDir);
  const cgroups = new HostCgroups(options.cgroupMountRoot ?? join('/sys', 'fs', 'cgroup'));
  const manager = new RuntimeManager({
    paths,
    cgroupParent: options.cgroupParent,
    defaultRuntime: options.defaultRuntime,
    monitorBinary: options.monitorBinary,
    monitor: options.monitor,
    cgroups,
    seccomp: new SeccompProfiles(options.seccompProfile),
    host: await gatherHostFacts(cgroups),
    runtimes: new RuntimeBinaries(options.defaultRuntime),
    ociRuntime: (binary) => new RuncCli(binary, paths.state),
    logger: options.logger,
  });
  await manager.load();
  return manager;
}
