import type { LinuxDeviceCgroup, LinuxNamespace, OciMount } from './oci-types';

// Docker's defaults, from moby daemon/pkg/oci/defaults.go unless noted. Functions rather than
// constants so every spec gets its own mutable copy.

export const DEFAULT_SHM_SIZE_BYTES = 64 * 1024 * 1024;

export function defaultMounts(shmSizeBytes: number = DEFAULT_SHM_SIZE_BYTES): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    // docker sizes /dev/shm from --shm-size (daemon/oci_linux.go withMounts).
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSizeBytes}`],
    },
  ];
}

export function defaultMaskedPaths(): string[] {
  return [
    '/proc/acpi',
    '/proc/asound',
    '/proc/interrupts',
    '/proc/kcore',
    '/proc/keys',
    '/proc/latency_stats',
    '/proc/sched_debug',
    '/proc/scsi',
    '/proc/timer_list',
    '/proc/timer_stats',
    '/sys/devices/virtual/powercap',
    '/sys/firmware',
  ];
}

export function defaultReadonlyPaths(): string[] {
  return ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
}

// Docker writes deny-all, its allow rules and a fuse deny (moby defaults.go); runc 1.1 then
// appends its AllowedDevices (libcontainer/specconv), mknod of anything plus the standard
// devices. Both are written out here, in that order, so config.json shows the whole policy. The
// fuse deny must precede the `c *:* m` wildcard: runc's cgroup v1 emulator cannot punch a hole
// in a wildcard.
export function defaultDeviceRules(): LinuxDeviceCgroup[] {
  const allowChar = (major: number, minor?: number): LinuxDeviceCgroup => ({
    allow: true,
    type: 'c',
    major,
    ...(minor === undefined ? {} : { minor }),
    access: 'rwm',
  });
  return [
    { allow: false, access: 'rwm' },
    allowChar(1, 5), // /dev/zero
    allowChar(1, 3), // /dev/null
    allowChar(1, 9), // /dev/urandom
    allowChar(1, 8), // /dev/random
    allowChar(5, 0), // /dev/tty
    allowChar(5, 1), // /dev/console
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse
    { allow: true, type: 'c', access: 'm' }, // c *:* m
    { allow: true, type: 'b', access: 'm' }, // b *:* m
    allowChar(1, 7), // /dev/full
    allowChar(5, 2), // /dev/ptmx
    allowChar(136), // /dev/pts/*
    allowChar(10, 200), // /dev/net/tun (runc 1.1)
  ];
}

export function privilegedDeviceRules(): LinuxDeviceCgroup[] {
  return [{ allow: true, access: 'rwm' }];
}

// Docker's order. No time namespace: runc 1.1 predates it. No cgroup namespace: docker's
// default on cgroup v1 hosts is the host's.
export function defaultNamespaces(privateNetwork: boolean): LinuxNamespace[] {
  const types: LinuxNamespace['type'][] = ['mount', 'network', 'uts', 'pid', 'ipc'];
  return types.filter((type) => privateNetwork || type !== 'network').map((type) => ({ type }));
}

// Set by docker for containers with their own network namespace (daemon/oci_linux.go
// withCommonOptions): ping without CAP_NET_RAW and binding ports below 1024 without
// CAP_NET_BIND_SERVICE, both harmless inside a private netns.
export function defaultNetworkSysctls(): Record<string, string> {
  return { 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '0' };
}
