import { invalidArgument } from '@berth/errors';
import type { ResourceLimits } from './input';
import type { LinuxResources } from './oci-types';

// docker refuses anything smaller ("Minimum memory limit allowed is 6MB").
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
// CFS period docker uses for --cpus.
export const CPU_PERIOD_US = 100_000;
// The kernel's smallest CFS quota is 1ms, i.e. --cpus 0.01 with a 100ms period.
const MIN_NANO_CPUS = 10_000_000;
// cgroup v1 cpu.shares bounds (kernel MIN_SHARES/MAX_SHARES).
const MIN_CPU_SHARES = 2;
const MAX_CPU_SHARES = 262_144;

export interface ResourceHost {
  swapLimitSupported?: boolean;
  hostCpus?: number;
}

// Memory, CPU and pids limits with docker's semantics; devices are added by the caller.
export function toLinuxResources(limits: ResourceLimits, host: ResourceHost = {}): Omit<LinuxResources, 'devices'> {
  validate(limits, host);
  const resources: Omit<LinuxResources, 'devices'> = {};

  const { memoryBytes, memorySwapBytes, nanoCpus, cpuShares, pidsLimit } = limits;
  if (memoryBytes > 0) {
    resources.memory = { limit: memoryBytes };
    if (host.swapLimitSupported !== false) {
      // memory.swap is memory+swap. Unset (0) gives as much swap as memory, as docker does;
      // -1 lifts the limit.
      resources.memory.swap = memorySwapBytes === 0 ? memoryBytes * 2 : memorySwapBytes;
    }
  }

  if (nanoCpus > 0 || cpuShares > 0) {
    resources.cpu = {};
    if (cpuShares > 0) resources.cpu.shares = Math.min(Math.max(cpuShares, MIN_CPU_SHARES), MAX_CPU_SHARES);
    if (nanoCpus > 0) {
      resources.cpu.period = CPU_PERIOD_US;
      resources.cpu.quota = Math.floor((nanoCpus * CPU_PERIOD_US) / 1e9);
    }
  }

  // docker: zero means unset, any negative value means unlimited.
  if (pidsLimit !== 0) resources.pids = { limit: pidsLimit > 0 ? pidsLimit : -1 };
  return resources;
}

function validate(limits: ResourceLimits, host: ResourceHost): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value)) throw invalidArgument(`invalid ${name}: ${value} is not an integer`);
  }
  const { memoryBytes, memorySwapBytes, nanoCpus, cpuShares } = limits;
  if (memoryBytes < 0) throw invalidArgument(`invalid memory limit: ${memoryBytes}`);
  if (memoryBytes > 0 && memoryBytes < MIN_MEMORY_BYTES) {
    throw invalidArgument('Minimum memory limit allowed is 6MB');
  }
  if (memorySwapBytes < -1) throw invalidArgument(`invalid memory swap limit: ${memorySwapBytes}`);
  if (memorySwapBytes !== 0 && memoryBytes === 0) {
    throw invalidArgument('You should always set the Memory limit when using Memoryswap limit');
  }
  if (memorySwapBytes > 0 && memorySwapBytes < memoryBytes) {
    throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (nanoCpus < 0 || (nanoCpus > 0 && nanoCpus < MIN_NANO_CPUS)) {
    throw invalidArgument(`invalid nanoCpus: ${nanoCpus} (the minimum is 0.01 CPU, ${MIN_NANO_CPUS})`);
  }
  if (host.hostCpus !== undefined && nanoCpus > host.hostCpus * 1e9) {
    throw invalidArgument(
      `Range of CPUs is from 0.01 to ${host.hostCpus.toFixed(2)}, as there are only ${host.hostCpus} CPUs available`,
    );
  }
  if (cpuShares < 0) throw invalidArgument(`invalid cpu shares: ${cpuShares}`);
}
