import { Readable } from 'node:stream';
import type { ServerReadableStream } from '@grpc/grpc-js';
import { invalidArgument } from '@berth/errors';
import { clientStream, firstFrame, serverStream, unary } from '@berth/grpc-kit';
import type { ImageStore, SnapshotInfo } from '@berth/image-store';
import type { imagestore, types } from '@berth/proto';
import { loadCall, sendArchive } from './archive-calls';

const empty = (): types.Empty => ({});

const snapshotView = (info: SnapshotInfo): imagestore.Snapshot => ({ ...info, image: undefined });

// Reads an import stream: the header first, then the tarball's bytes as a Node stream.
async function importCall(store: ImageStore, call: ServerReadableStream<imagestore.ImportChunk, types.Image>): Promise<types.Image> {
  const { first, rest } = await firstFrame<imagestore.ImportChunk>(call);
  if (first?.part?.$case !== 'header') throw invalidArgument('an import stream must open with its header');
  const header = first.part.value;
  const data = Readable.from(
    (async function* () {
      for (;;) {
        const next = await rest.next();
        if (next.done) return;
        if (next.value.part?.$case === 'data') yield Buffer.from(next.value.part.value);
      }
    })(),
  );
  try {
    return await store.import({ ...header }, data);
  } finally {
    data.destroy();
  }
}

export function imageStoreService(store: ImageStore): imagestore.ImageStoreServiceServer {
  return {
    import: clientStream((call) => importCall(store, call)),
    list: unary(async (request) => ({ images: await store.list(request.filters) })),
    get: unary((request) => store.get(request.reference)),
    remove: unary((request) => store.remove(request)),
    tag: unary(async (request) => {
      await store.tag(request.source, request.target);
      return empty();
    }),
    prepareSnapshot: unary(async (request) => {
      const snapshot = await store.prepareSnapshot(request.key, request.imageId);
      return { ...snapshotView(snapshot), image: await store.get(snapshot.imageId) };
    }),
    getSnapshot: unary(async (request) => snapshotView(await store.getSnapshot(request.key))),
    removeSnapshot: unary(async (request) => {
      await store.removeSnapshot(request.key);
      return empty();
    }),
    listSnapshots: unary(async () => ({ snapshots: (await store.listSnapshots()).map(snapshotView) })),
    save: serverStream(async (request, call, signal) => sendArchive(store.save(request.references), call, signal)),
    load: clientStream((call) => loadCall(store, call)),
    prune: unary((request) => store.prune(request)),
    diskUsage: unary(() => store.diskUsage()),
    exportSnapshot: serverStream(async (request, call, signal) => sendArchive(await store.exportSnapshot(request.key), call, signal)),
  };
}
