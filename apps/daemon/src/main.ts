import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ContainerService, FileRecordStore } from '@berth/daemon-core';
import { errorMessageOf } from '@berth/errors';
import { addHealthService, createServer, listen, shutdown } from '@berth/grpc-kit';
import { DEFAULT_ROOT, stackLayout, unixAddress } from '@berth/layout';
import { daemon } from '@berth/proto';
import { BullPullBackend, BullPushBackend, PullCoordinator, PushCoordinator } from '@berth/pull-queue';
import { RegistryClient } from '@berth/registry-client';
import { daemonService } from './daemon-service';
import { ImageStoreClient } from './image-store-client';
import { consoleLogger } from './logger';
import { RedisEventSink } from './redis-events';
import { RuntimeClient } from './runtime-client';

const RECONCILE_RETRY_MS = 2000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      listen: { type: 'string' },
      'image-store': { type: 'string' },
      runtime: { type: 'string' },
      redis: { type: 'string' },
    },
  });
  const root = values.root ?? process.env.BERTH_ROOT ?? DEFAULT_ROOT;
  const layout = stackLayout(root);
  const logger = consoleLogger('daemon');
  const images = new ImageStoreClient(values['image-store'] ?? process.env.BERTH_IMAGE_STORE ?? unixAddress(layout.imageStoreSocket));
  const runtime = new RuntimeClient(values.runtime ?? process.env.BERTH_RUNTIME ?? unixAddress(layout.runtimeSocket));
  const redis = values.redis ?? process.env.BERTH_REDIS ?? layout.redisSocket;
  const events = new RedisEventSink(redis, logger);
  const pullQueue = new BullPullBackend({ redis });
  const pulls = new PullCoordinator(pullQueue);
  const pushQueue = new BullPushBackend({ redis });
  const pushes = new PushCoordinator(pushQueue);
  const containers = new ContainerService({
    records: new FileRecordStore(join(layout.daemonDir, 'containers')),
    images,
    runtime,
    events,
    logger,
    cpuCount: cpus().length,
  });
  await containers.load();

  const server = createServer();
  server.addService(daemon.DaemonServiceService, daemonService({ containers, images, runtime, pulls, pushes, registry: new RegistryClient(), root: layout.root, redisStatus: () => events.status() }));
  addHealthService(server);
  const address = values.listen ?? process.env.BERTH_DAEMON_LISTEN ?? unixAddress(layout.daemonSocket);
  await listen(server, address);
  logger.info(`listening on ${address}`);

  let reconcileTimer: NodeJS.Timeout | undefined;
  const reconcile = (): void => {
    containers.reconcile().then(
      () => logger.info('reconciled container state'),
      (err: unknown) => {
        logger.warn(`reconcile deferred: ${errorMessageOf(err)}`);
        reconcileTimer = setTimeout(reconcile, RECONCILE_RETRY_MS);
      },
    );
  };
  reconcile();

  const stop = (): void => {
    clearTimeout(reconcileTimer);
    containers.close();
    shutdown(server)
      .then(() => Promise.allSettled([events.close(), pullQueue.close(), pushQueue.close()]))
      .finally(() => {
        images.close();
        runtime.close();
        process.exit(0);
      })
      .catch(() => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`berth daemon: ${errorMessageOf(err)}\n`);
  process.exit(1);
});
