import { Readable } from 'node:stream';
import type { ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import type { ImageStore } from '@berth/image-store';
import type { imagestore } from '@berth/proto';

// Sends a tar stream as ArchiveChunks, as fast as the caller takes them.
export async function sendArchive<Req>(archive: Readable, call: ServerWritableStream<Req, imagestore.ArchiveChunk>, signal: AbortSignal): Promise<void> {
  const onAbort = (): void => {
    archive.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of archive) {
      if (signal.aborted) return;
      if (!call.write({ data: chunk as Buffer })) await new Promise((resolve) => call.once('drain', resolve));
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    archive.destroy();
  }
}

// Reads a load stream's chunks as one Node stream of the archive's bytes.
export async function loadCall(store: ImageStore, call: ServerReadableStream<imagestore.ArchiveChunk, imagestore.LoadResponse>): Promise<imagestore.LoadResponse> {
  const data = Readable.from(
    (async function* () {
      for await (const chunk of call as AsyncIterable<imagestore.ArchiveChunk>) yield Buffer.from(chunk.data);
    })(),
  );
  try {
    return { images: await store.load(data) };
  } finally {
    data.destroy();
  }
}
