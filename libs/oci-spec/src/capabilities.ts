import { invalidArgument } from '@berth/errors';

// Every capability Linux knows, indexed by its number (linux/capability.h; CAP_LAST_CAP is 40,
// CAP_CHECKPOINT_RESTORE, since 5.9).
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

// Docker's default set (moby daemon/pkg/oci/caps/defaults.go), in docker's order.
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const ALL = 'ALL';

// The bitmask the kernel shows as CapEff/CapBnd for a set of capabilities.
export function capabilityMask(capabilities: readonly string[]): bigint {
  let mask = 0n;
  for (const name of capabilities) {
    const bit = ALL_CAPABILITIES.indexOf(name);
    if (bit < 0) throw invalidArgument(`unknown capability: ${JSON.stringify(name)}`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

// The capabilities in a mask such as the hex CapEff field of /proc/self/status; bits beyond the
// ones Linux has named are ignored.
export function capabilitiesFromMask(mask: bigint | string): string[] {
  const bits = typeof mask === 'bigint' ? mask : parseHexMask(mask);
  return ALL_CAPABILITIES.filter((_, bit) => (bits >> BigInt(bit)) & 1n);
}

function parseHexMask(text: string): bigint {
  const hex = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]+$/i.test(hex)) throw invalidArgument(`invalid capability mask: ${JSON.stringify(text)}`);
  return BigInt(`0x${hex}`);
}

// The capability set docker would give a container (moby's TweakCapabilities): privileged gets
// every available capability; otherwise the defaults minus capDrop plus capAdd, where
// capAdd ALL means everything available but capDrop, and capDrop ALL means only capAdd.
export function normalizeCapabilities(
  capAdd: string[],
  capDrop: string[],
  privileged: boolean,
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  const availableInKernelOrder = ALL_CAPABILITIES.filter((name) => available.includes(name));
  if (privileged) return availableInKernelOrder;
  const drops = normalizeNames(capDrop, available);
  const adds = normalizeNames(capAdd, available);
  let result: string[];
  if (adds.includes(ALL)) {
    result = availableInKernelOrder.filter((name) => !drops.includes(name));
  } else if (drops.includes(ALL)) {
    result = adds;
  } else {
    result = [...DEFAULT_CAPABILITIES.filter((name) => !drops.includes(name)), ...adds];
  }
  return [...new Set(result)];
}

// Upper-cases, adds the CAP_ prefix and checks each name, keeping the magic ALL.
function normalizeNames(names: readonly string[], available: readonly string[]): string[] {
  return names.map((raw) => {
    const upper = raw.trim().toUpperCase();
    if (upper === ALL) return ALL;
    const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!ALL_CAPABILITIES.includes(name)) throw invalidArgument(`unknown capability: ${JSON.stringify(name)}`);
    if (!available.includes(name)) {
      throw invalidArgument(
        `capability not supported by your kernel or not available in the current environment: ${JSON.stringify(name)}`,
      );
    }
    return name;
  });
}
