import type { ClientReadableStream, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { callMetadata, fromGrpcError, isServiceError, readStream } from '@berth/grpc-kit';
import type { daemon, imagestore } from '@berth/proto';

// Relays an archive the image store streams (save, export) to the CLI, at the CLI's pace.
export async function relayArchive<Req>(
  upstream: ClientReadableStream<imagestore.ArchiveChunk>,
  call: ServerWritableStream<Req, daemon.ArchiveChunk>,
  signal: AbortSignal,
): Promise<void> {
  signal.addEventListener('abort', () => upstream.cancel(), { once: true });
  for await (const chunk of readStream(upstream)) {
    if (!call.write(chunk)) await new Promise((resolve) => call.once('drain', resolve));
  }
}

// Streams a `berth load` archive from the CLI to the image store without buffering it.
export async function loadImages(
  call: ServerReadableStream<daemon.ArchiveChunk, daemon.LoadImagesResponse>,
  client: imagestore.ImageStoreServiceClient,
): Promise<daemon.LoadImagesResponse> {
  let upstream: ReturnType<imagestore.ImageStoreServiceClient['load']> | undefined;
  const result = new Promise<imagestore.LoadResponse>((resolve, reject) => {
    upstream = client.load(callMetadata(true), (err, response) => (err ? reject(isServiceError(err) ? fromGrpcError(err) : err) : resolve(response)));
  });
  const stream = upstream as NonNullable<typeof upstream>;
  call.on('cancelled', () => stream.cancel());
  // The store refuses a bad archive as soon as it sees it: stop sending then, not at the end.
  let refused: unknown;
  const settled = result.then(
    () => undefined,
    (err: unknown) => {
      refused = err;
    },
  );
  try {
    for await (const chunk of call as AsyncIterable<daemon.ArchiveChunk>) {
      if (refused !== undefined) break;
      if (!stream.write(chunk)) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), settled]);
    }
    stream.end();
  } catch (err) {
    stream.cancel();
    await result.catch(() => undefined);
    throw err;
  }
  return result;
}
