import { invalidArgument } from '@berth/errors';
import type { runtime } from '@berth/proto';
import { validateContainerId } from './container-id';

export type NetworkMode = 'none' | 'host';

// As many as the monitor takes (native/monitor/src/rootfs.h).
const MAX_ROOTFS_MOUNTS = 16;

// Checks what a Create request asks for before anything touches the host, with the messages a
// docker user would recognise. The runtime name is checked separately (it needs PATH).
export function validateContainerSpec(spec: runtime.ContainerSpec | undefined): asserts spec is runtime.ContainerSpec {
  if (!spec) throw invalidArgument('create request has no container spec');
  validateContainerId(spec.id);
  if (spec.args.length === 0 || spec.args[0] === '') throw invalidArgument('no command specified: args must not be empty');
  if (spec.args.some((arg) => arg.includes('\0'))) throw invalidArgument('command arguments must not contain NUL bytes');
  if (spec.cwd !== '' && !spec.cwd.startsWith('/')) {
    throw invalidArgument(`the working directory '${spec.cwd}' is invalid, it needs to be an absolute path`);
  }
  networkModeOf(spec);
  if (spec.rootfs.length === 0) throw invalidArgument('the container has no root filesystem mounts');
  if (spec.rootfs.length > MAX_ROOTFS_MOUNTS) throw invalidArgument(`the container has more than ${MAX_ROOTFS_MOUNTS} root filesystem mounts`);
  // The monitor mounts them all onto the rootfs itself (see monitor/launch.ts).
  if (spec.rootfs.some((mount) => mount.target !== '')) throw invalidArgument('root filesystem mounts go onto the root itself: a mount target must be empty');
  const resources = spec.resources;
  if (resources) {
    for (const [name, value] of Object.entries(resources) as Array<[string, number]>) {
      if (!Number.isSafeInteger(value)) throw invalidArgument(`invalid ${name}: ${value}`);
      if (value < 0 && !(name === 'memorySwapBytes' && value === -1)) throw invalidArgument(`invalid ${name}: must not be negative`);
    }
  }
}

export function networkModeOf(spec: runtime.ContainerSpec): NetworkMode {
  const mode = spec.networkMode === '' ? 'none' : spec.networkMode;
  if (mode !== 'none' && mode !== 'host') {
    throw invalidArgument(`invalid network mode: ${JSON.stringify(spec.networkMode)}: the runtime supports "none" and "host"`);
  }
  return mode;
}
