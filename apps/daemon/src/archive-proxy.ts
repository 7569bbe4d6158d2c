import type { ClientReadableStream, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { callMetadata, readStream } from '@berth/grpc-kit';
import type { daemon, imagestore } from '@berth/proto';
import { relayClientStream } from './client-stream-relay';

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
export function loadImages(
  call: ServerReadableStream<daemon.ArchiveChunk, daemon.LoadImagesResponse>,
  client: imagestore.ImageStoreServiceClient,
): Promise<daemon.LoadImagesResponse> {
  return relayClientStream(call, (callback) => client.load(callMetadata(true), callback), (chunk: daemon.ArchiveChunk) => chunk);
}
