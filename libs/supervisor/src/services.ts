import { dirname, join } from 'node:path';
import { stackLayout, unixAddress, type StackLayout } from '@berth/layout';
import { hubAddress } from './hub-address';

export interface ServiceDefinition {
  name: string;
  command: string;
  args: string[];
  // What health checks reach: a gRPC address, the Redis socket path, or the Hub's HOST:PORT.
  address: string;
  kind: 'grpc' | 'redis' | 'http';
}

// Finds an app's compiled entry point through its workspace package, so the supervisor
// never depends on the apps' code, only on where they are.
export function appEntry(packageName: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), 'dist', 'main.js');
}

/*
 * The image store streams hundreds of MB per pull through short-lived buffers, and its new space
 * grows to match. With V8's default first old-generation limit (sized for a small heap) the free
 * old space is then smaller than the new space, and V8 starts a full marking every ~45 ms of a
 * pull: a fifth of the pull's CPU. A higher first limit stops that (bench pull 0.97 s -> 0.87 s,
 * its CPU 1.30 s -> 1.08 s); the heap still grows only with what is live.
 */
export const IMAGE_STORE_NODE_FLAGS = ['--initial-old-space-size=64'];

export function redisServerPath(): string {
  return process.env.BERTH_REDIS_SERVER ?? 'redis-server';
}

// The services of one single-machine stack, in start order (the Hub once its address is chosen).
export function stackServices(layout: StackLayout = stackLayout()): ServiceDefinition[] {
  const node = process.execPath;
  const rootArgs = ['--root', layout.root];
  const hubAddr = hubAddress(layout);
  const hub: ServiceDefinition[] = hubAddr === undefined ? [] : [
    {
      name: 'hub',
      command: node,
      // Storage under ROOT/registry; Redis for its webhook queue.
      args: [appEntry('@berth/registry-app'), ...rootArgs, '--addr', hubAddr, '--redis', layout.redisSocket],
      address: hubAddr,
      kind: 'http',
    },
  ];
  return [
    {
      name: 'redis',
      command: redisServerPath(),
      args: [
        '--port', '0',
        '--unixsocket', layout.redisSocket,
        '--unixsocketperm', '700',
        '--dir', layout.redisDir,
        '--appendonly', 'yes',
        '--save', '3600 1 300 100 60 10000',
        '--daemonize', 'no',
        '--logfile', '',
      ],
      address: layout.redisSocket,
      kind: 'redis',
    },
    {
      name: 'image-store',
      command: node,
      args: [...IMAGE_STORE_NODE_FLAGS, appEntry('@berth/image-store-app'), ...rootArgs, '--listen', unixAddress(layout.imageStoreSocket), '--redis', layout.redisSocket],
      address: unixAddress(layout.imageStoreSocket),
      kind: 'grpc',
    },
    {
      name: 'runtime-shim',
      command: node,
      args: [appEntry('@berth/runtime-shim-app'), ...rootArgs, '--listen', unixAddress(layout.runtimeSocket)],
      address: unixAddress(layout.runtimeSocket),
      kind: 'grpc',
    },
    {
      name: 'daemon',
      command: node,
      args: [
        appEntry('@berth/daemon-app'),
        ...rootArgs,
        '--listen', unixAddress(layout.daemonSocket),
        '--image-store', unixAddress(layout.imageStoreSocket),
        '--runtime', unixAddress(layout.runtimeSocket),
        '--redis', layout.redisSocket,
      ],
      address: unixAddress(layout.daemonSocket),
      kind: 'grpc',
    },
    ...hub,
  ];
}
