import { parseArgs } from 'node:util';
import { errorMessageOf, invalidArgument } from '@berth/errors';
import { addHealthService, createServer, listen, shutdown } from '@berth/grpc-kit';
import { closeUnpackThreads, ImageStore } from '@berth/image-store';
import { RegistryClient } from '@berth/registry-client';
import { DEFAULT_ROOT, stackLayout, unixAddress } from '@berth/layout';
import { imagestore } from '@berth/proto';
import { startPullWorker } from '@berth/pull-queue';
import { imageStoreService } from './grpc-service';
import { startPushJobs } from './push-worker';

// What one layer may unpack to: a decompression bomb stops here. Bytes, or k/m/g/t (binary).
const DEFAULT_MAX_LAYER_SIZE = '16g';
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

function parseLayerSize(text: string): number {
  const match = /^(\d+)([kmgt]?)i?b?$/i.exec(text.trim());
  const bytes = match ? Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? NaN) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw invalidArgument(`invalid --max-layer-size ${JSON.stringify(text)}: want a size such as 16g or 512m`);
  return bytes;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw invalidArgument(`invalid ${flag} ${JSON.stringify(text)}: want a whole number of at least 1`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      listen: { type: 'string' },
      'max-layer-size': { type: 'string' },
      // The stack's Redis (a socket path or redis://): where pull jobs come from.
      redis: { type: 'string' },
      'pull-concurrency': { type: 'string' },
      // dockerd's name: attempts per request before a pull fails (a dropped or stalled transfer).
      'max-download-attempts': { type: 'string' },
      // Seconds a registry may send nothing before the request is abandoned and retried.
      'registry-timeout': { type: 'string' },
    },
  });
  const layout = stackLayout(values.root ?? process.env.BERTH_ROOT ?? DEFAULT_ROOT);
  const maxLayerSize = parseLayerSize(values['max-layer-size'] ?? process.env.BERTH_MAX_LAYER_SIZE ?? DEFAULT_MAX_LAYER_SIZE);
  const registry = new RegistryClient({
    retries: positiveInteger('--max-download-attempts', values['max-download-attempts'] ?? process.env.BERTH_MAX_DOWNLOAD_ATTEMPTS ?? '5') - 1,
    inactivityTimeoutMs: positiveInteger('--registry-timeout', values['registry-timeout'] ?? process.env.BERTH_REGISTRY_TIMEOUT ?? '30') * 1000,
  });
  const store = new ImageStore(layout.imagesDir, { maxLayerSize, registry });
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
          const image = await store.pull(request.reference, { ...(request.platform ? { platform: request.platform } : {}), ...(request.auth ? { credentials: request.auth } : {}), signal, onProgress: onEvent });
          return { reference: image.repoTags[0] ?? request.reference, digest: image.pulledDigest, imageId: image.id, upToDate: image.upToDate };
        },
        { redis, concurrency: values['pull-concurrency'] ? Number(values['pull-concurrency']) : undefined, onError: (err) => log('warn', `pull queue: ${errorMessageOf(err)}`) },
      )
    : undefined;
  const pushWorker = redis ? startPushJobs(store, redis, (err) => log('warn', `push queue: ${errorMessageOf(err)}`)) : undefined;
  if (worker) log('info', `taking pull and push jobs from ${redis}`);
  const stop = (): void => {
    Promise.allSettled([worker?.close(), pushWorker?.close(), shutdown(server)])
      .then(() => closeUnpackThreads())
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
