import { Readable } from 'node:stream';
import type { ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import type { ImageStore } from '@berth/image-store';
import type { imagestore } from '@berth/proto';

const MESSAGE_SIZE = 1 << 20;

// Sends a tar stream as ArchiveChunks, as fast as the caller takes them.
export async function sendArchive<Req>(archive: Readable, call: ServerWritableStream<Req, imagestore.ArchiveChunk>, signal: AbortSignal): Promise<void> {
  const onAbort = (): void => {
    archive.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  // Few large messages: gRPC's cost is per message, and tar-stream hands out small chunks.
  let pending: Buffer[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    const data = Buffer.concat(pending, size);
    pending = [];
    size = 0;
    if (!call.write({ data })) await new Promise((resolve) => call.once('drain', resolve));
  };
  try {
    for await (const chunk of archive) {
      if (signal.aborted) return;
      pending.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= MESSAGE_SIZE) await flush();
    }
    if (size > 0) await flush();
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
