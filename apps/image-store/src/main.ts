import { parseArgs } from 'node:util';
import { errorMessageOf } from '@berth/errors';
import { addHealthService, createServer, listen, shutdown } from '@berth/grpc-kit';
import { ImageStore } from '@berth/image-store';
import { DEFAULT_ROOT, stackLayout, unixAddress } from '@berth/layout';
import { imagestore } from '@berth/proto';
import { imageStoreService } from './grpc-service';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { root: { type: 'string' }, listen: { type: 'string' }, 'max-layer-size': { type: 'string' } },
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
  process.stderr.write(`${new Date().toISOString()} image-store info listening on ${address}\n`);
  const stop = (): void => {
    shutdown(server).finally(() => process.exit(0)).catch(() => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`berth image-store: ${errorMessageOf(err)}\n`);
  process.exit(1);
});
