import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

/*
 * Where everything of one Berth stack lives. One root, one stack: two roots never share a path,
 * a socket, a cgroup or a Redis.
 *
 *   ROOT/
 *     run/                       sockets (for the default root: /run/berth)
 *       berthd.sock              daemon API (the CLI's BERTH_HOST)
 *       image-store.sock         image store gRPC
 *       runtime.sock             runtime shim gRPC
 *       redis.sock               Redis
 *       supervisor.pid           the `system up` supervisor
 *     logs/<service>.log         each service's own log
 *     redis/                     Redis data (appendonly + RDB)
 *     daemon/containers/<id>.json  container records (config, name, image)
 *     images/
 *       blobs/sha256/<hex>       content store: every blob, verified, written atomically
 *       ingest/                  blobs being written (temp files, never visible as blobs)
 *       layers/<chain-hex>/      unpacked layers, read-only overlayfs lower directories
 *       metadata/                image records and tags
 *       snapshots/<key>/         a container's upper and work directories
 *       load/load-<random>/      a `load` archive spooled while it is checked (removed after)
 *     runtime/
 *       state/                   the OCI runtime's --root
 *       bundles/<id>/            config.json, rootfs/ mount point, monitor files
 *       exits/                   exit files written by the per-container monitors
 *       logs/<id>.log            container output (k8s-file format)
 *       sockets/                 monitors' attach sockets
 *   cgroups: <controller>/berth-<root hash>/<container id> (v1) or unified equivalent (v2)
 */
export const DEFAULT_ROOT = '/var/lib/berth';

export interface StackLayout {
  root: string;
  runDir: string;
  daemonSocket: string;
  imageStoreSocket: string;
  runtimeSocket: string;
  redisSocket: string;
  supervisorPidFile: string;
  logsDir: string;
  redisDir: string;
  daemonDir: string;
  imagesDir: string;
  runtimeDir: string;
  cgroupParent: string;
}

// A short, stable tag for a root: keeps cgroup, bridge and chain names of stacks apart.
export function rootTag(root: string): string {
  return createHash('sha256').update(resolve(root)).digest('hex').slice(0, 8);
}

export function stackLayout(rootDir: string = DEFAULT_ROOT): StackLayout {
  const root = resolve(rootDir);
  const isDefault = root === DEFAULT_ROOT;
  const runDir = isDefault ? '/run/berth' : join(root, 'run');
  return {
    root,
    runDir,
    daemonSocket: join(runDir, 'berthd.sock'),
    imageStoreSocket: join(runDir, 'image-store.sock'),
    runtimeSocket: join(runDir, 'runtime.sock'),
    redisSocket: join(runDir, 'redis.sock'),
    supervisorPidFile: join(runDir, 'supervisor.pid'),
    logsDir: join(root, 'logs'),
    redisDir: join(root, 'redis'),
    daemonDir: join(root, 'daemon'),
    imagesDir: join(root, 'images'),
    runtimeDir: join(root, 'runtime'),
    cgroupParent: isDefault ? 'berth' : `berth-${rootTag(root)}`,
  };
}

export function unixAddress(socketPath: string): string {
  return `unix://${socketPath}`;
}
