import { toLinuxResources } from './resources';
import type { ResourceLimits } from './input';

const MiB = 1024 * 1024;
const none: ResourceLimits = { memoryBytes: 0, memorySwapBytes: 0, nanoCpus: 0, cpuShares: 0, pidsLimit: 0 };
const limits = (overrides: Partial<ResourceLimits>): ResourceLimits => ({ ...none, ...overrides });

describe('toLinuxResources', () => {
  it('sets nothing when nothing is asked', () => {
    expect(toLinuxResources(none)).toEqual({});
  });

  it('allows as much swap as memory when memorySwap is unset, as docker does', () => {
    expect(toLinuxResources(limits({ memoryBytes: 64 * MiB }))).toEqual({ memory: { limit: 64 * MiB, swap: 128 * MiB } });
  });

  it('passes memory+swap totals and -1 for unlimited swap', () => {
    expect(toLinuxResources(limits({ memoryBytes: 64 * MiB, memorySwapBytes: 128 * MiB })).memory).toEqual({
      limit: 64 * MiB,
      swap: 128 * MiB,
    });
    expect(toLinuxResources(limits({ memoryBytes: 64 * MiB, memorySwapBytes: -1 })).memory?.swap).toBe(-1);
  });

  it('drops swap where the kernel cannot limit it', () => {
    expect(toLinuxResources(limits({ memoryBytes: 64 * MiB }), { swapLimitSupported: false })).toEqual({
      memory: { limit: 64 * MiB },
    });
  });

  it('turns nanoCpus into quota over a 100ms period', () => {
    expect(toLinuxResources(limits({ nanoCpus: 1_500_000_000 })).cpu).toEqual({ period: 100_000, quota: 150_000 });
    expect(toLinuxResources(limits({ nanoCpus: 10_000_000 })).cpu).toEqual({ period: 100_000, quota: 1_000 });
  });

  it('clamps shares to the kernel range and sets pids', () => {
    expect(toLinuxResources(limits({ cpuShares: 1 })).cpu).toEqual({ shares: 2 });
    expect(toLinuxResources(limits({ cpuShares: 512 })).cpu).toEqual({ shares: 512 });
    expect(toLinuxResources(limits({ pidsLimit: 100 })).pids).toEqual({ limit: 100 });
    expect(toLinuxResources(limits({ pidsLimit: -1 })).pids).toEqual({ limit: -1 });
  });

  it.each<[Partial<ResourceLimits>, RegExp, { hostCpus?: number }?]>([
    [{ memoryBytes: 1024 }, /Minimum memory limit allowed is 6MB/],
    [{ memoryBytes: -5 }, /invalid memory limit/],
    [{ memorySwapBytes: 100 * MiB }, /always set the Memory limit/],
    [{ memoryBytes: 64 * MiB, memorySwapBytes: 32 * MiB }, /memoryswap limit should be larger than memory/],
    [{ memoryBytes: 64 * MiB, memorySwapBytes: -2 }, /invalid memory swap/],
    [{ nanoCpus: 1000 }, /invalid nanoCpus/],
    [{ nanoCpus: 3e9 }, /Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available/, { hostCpus: 2 }],
    [{ cpuShares: -1 }, /invalid cpu shares/],
    [{ memoryBytes: 1.5 }, /not an integer/],
  ])('refuses %j', (...[overrides, message, host]) => {
    expect(() => toLinuxResources(limits(overrides), host)).toThrow(message);
  });
});
