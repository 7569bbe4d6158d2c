import type { daemon, runtime } from '@berth/proto';

// What the daemon keeps about a container; the runtime shim keeps the rest (process, exit).
export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  // The image as the user named it, and what it resolved to.
  image: string;
  imageId: string;
  config: daemon.ContainerConfig;
  hostConfig: daemon.HostConfig;
  path: string;
  args: string[];
  // The spec last handed to the runtime, so a stopped container can be started again.
  spec: runtime.ContainerSpec;
  restartCount: number;
}
