import { parseArgs } from 'node:util';
import { errorMessageOf } from '@berth/errors';
import { addHealthService, createServer, listen, shutdown } from '@berth/grpc-kit';
import { ImageStore } from '@berth/image-store';
import { DEFAULT_ROOT, stackLayout, unixAddress } from '@berth/layout';
import { imagestore } from '@berth/proto';
import { startPullWorker } from '@berth/pull-queue';
import { imageStoreService } from './grpc-service';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      listen: { type: 'string' },
      'max-layer-size': { type: 'string' },
      // The stack's Redis (a socket path or redis://): where pull jobs come from.
      redis: { type: 'string' },
      'pull-concurrency': { type: 'string' },
    },
  });
  const layout = stackLayout(values.root ?? process.env.BERTH_ROOT ?? DEFAULT_ROOT);
  const maxLayerSize = values['max-layer-size'] ? Number(values['max-layer-size']) : undefined;
  const store = new ImageStore(layout.imagesDir, { maxLayerSize });
  await store.open();
  const server = createServer();
  server.addService(imagestore.ImageStoreServiceService, imageStoreService(store));
  addHealthService(server);
  const address = values.listen ?? process.env.BERTH_IMAGE_STORE_LISTEN ?? unixAddress(layout.imageStoreSocket);
  await listen(server, address);
  const log = (level: string, message: string): boolean => process.stderr.write(`${new Date().toISOString()} image-store ${level} ${message}\n`);
  log('info', `listening on ${address}`);
  const redis = values.redis ?? process.env.BERTH_REDIS;
  // Without Redis this store still serves gRPC; it just takes no pull jobs.
  const worker = redis
    ? startPullWorker(
        async (request, onEvent, signal) => {
          const image = await store.pull(request.reference, { ...(request.platform ? { platform: request.platform } : {}), signal, onProgress: onEvent });
          return { reference: image.repoTags[0] ?? request.reference, digest: image.pulledDigest, imageId: image.id, upToDate: image.upToDate };
        },
        { redis, concurrency: values['pull-concurrency'] ? Number(values['pull-concurrency']) : undefined, onError: (err) => log('warn', `pull queue: ${errorMessageOf(err)}`) },
      )
    : undefined;
  if (worker) log('info', `taking pull jobs from ${redis}`);
  const stop = (): void => {
    Promise.allSettled([worker?.close(), shutdown(server)])
      .finally(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`berth image-store: ${errorMessageOf(err)}\n`);
  process.exit(1);
});
