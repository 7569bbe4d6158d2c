import { existsSync, readFileSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';

export interface HostInfo {
  kernelVersion: string;
  operatingSystem: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  cgroupVersion: string;
}

function osName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return match?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

export function hostInfo(): HostInfo {
  return {
    kernelVersion: release(),
    operatingSystem: osName(),
    architecture: arch() === 'x64' ? 'x86_64' : arch(),
    ncpu: cpus().length,
    memTotal: totalmem(),
    // Pure v2 has cgroup.controllers at the top; hybrid and v1 hosts do not.
    cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
  };
}
