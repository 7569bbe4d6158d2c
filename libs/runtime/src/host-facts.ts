import { readFile } from 'node:fs/promises';
import { availableParallelism, release } from 'node:os';
import { capabilitiesFromMask, type Rlimit } from '@berth/oci-spec';
import type { HostCgroups } from './cgroups';
import { readHostRlimits } from './host-rlimits';

// What the spec builder needs to know about this host; gathered once per shim.
export interface HostFacts {
  rlimits: Rlimit[];
  capabilities: string[];
  kernelRelease: string;
  swapLimitSupported: boolean;
  cpus: number;
}

async function ownCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  return capabilitiesFromMask(capEff);
}

export async function gatherHostFacts(cgroups: HostCgroups): Promise<HostFacts> {
  return {
    rlimits: await readHostRlimits(),
    capabilities: await ownCapabilities(),
    kernelRelease: release(),
    swapLimitSupported: cgroups.swapLimitSupported(),
    cpus: availableParallelism(),
  };
}
