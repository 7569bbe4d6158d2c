import { invalidArgument } from '@berth/errors';
import type { daemon, runtime, types } from '@berth/proto';
import { parseSecurityOptions } from './security-options';

const MIN_MEMORY = 6 * 1024 * 1024;

export interface ContainerPlan {
  path: string;
  args: string[];
  spec: runtime.ContainerSpec;
  warnings: string[];
}

export interface PlanInput {
  id: string;
  config: daemon.ContainerConfig;
  hostConfig: daemon.HostConfig;
  image: types.Image;
  cpuCount: number;
}

function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const merged = new Map<string, string>();
  for (const entry of [...base, ...overrides]) {
    const key = entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry;
    if (key === '') throw invalidArgument(`invalid environment variable: ${entry}`);
    merged.set(key, entry);
  }
  return [...merged.values()];
}

function commandLine(config: daemon.ContainerConfig, image: types.Image): string[] {
  const imageConfig = image.config;
  const entrypoint = config.entrypointSet ? config.entrypoint : (imageConfig?.entrypoint ?? []);
  // docker drops the image's CMD when --entrypoint is given without a command.
  const cmd = config.cmd.length > 0 ? config.cmd : config.entrypointSet ? [] : (imageConfig?.cmd ?? []);
  return [...entrypoint, ...cmd];
}

function networkMode(mode: string): string {
  const value = mode === '' || mode === 'default' ? 'none' : mode;
  if (value !== 'none' && value !== 'host') {
    throw invalidArgument(`network ${mode} not found: Berth supports --network none and --network host`);
  }
  return value;
}

function validateResources(host: daemon.HostConfig, cpuCount: number): void {
  if (host.memory < 0) throw invalidArgument('invalid memory limit: must be positive');
  if (host.memory > 0 && host.memory < MIN_MEMORY) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (host.memorySwap > 0 && host.memory === 0) {
    throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (host.memorySwap > 0 && host.memorySwap < host.memory) {
    throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (host.nanoCpus < 0 || host.nanoCpus > cpuCount * 1e9) {
    throw invalidArgument(
      `Range of CPUs is from 0.01 to ${cpuCount.toFixed(2)}, as there are only ${cpuCount} CPUs available`,
    );
  }
  if (host.cpuShares < 0) throw invalidArgument('invalid CPU shares: must be positive');
}

// Turns a docker-style create request plus its image into what the runtime shim runs. Pure.
export function planContainer({ id, config, hostConfig, image, cpuCount }: PlanInput): ContainerPlan {
  const args = commandLine(config, image);
  if (args.length === 0) throw invalidArgument('No command specified');
  const cwd = config.workingDir || image.config?.workingDir || '/';
  if (!cwd.startsWith('/')) {
    throw invalidArgument(`the working directory '${cwd}' is invalid, it needs to be an absolute path`);
  }
  validateResources(hostConfig, cpuCount);
  const security = parseSecurityOptions(hostConfig.securityOpt, hostConfig.seccompProfile);
  const hostname = config.hostname || id.slice(0, 12);
  const spec: runtime.ContainerSpec = {
    id,
    args,
    env: mergeEnv(image.config?.env ?? [], [`HOSTNAME=${hostname}`, ...config.env]),
    cwd,
    user: config.user || image.config?.user || '',
    hostname,
    tty: config.tty,
    openStdin: config.openStdin,
    security: {
      privileged: hostConfig.privileged,
      capAdd: hostConfig.capAdd,
      capDrop: hostConfig.capDrop,
      noNewPrivileges: security.noNewPrivileges,
      seccompProfile: hostConfig.privileged ? 'unconfined' : security.seccompProfile,
      readOnlyRootfs: hostConfig.readOnlyRootfs,
    },
    resources: {
      memoryBytes: hostConfig.memory,
      memorySwapBytes: hostConfig.memorySwap,
      nanoCpus: hostConfig.nanoCpus,
      cpuShares: hostConfig.cpuShares,
      pidsLimit: hostConfig.pidsLimit > 0 ? hostConfig.pidsLimit : 0,
    },
    networkMode: networkMode(hostConfig.networkMode),
    rootfs: [],
    runtime: hostConfig.runtime,
    labels: { ...(image.config?.labels ?? {}), ...config.labels },
  };
  const [path, ...rest] = args;
  return { path: path as string, args: rest, spec, warnings: [] };
}
