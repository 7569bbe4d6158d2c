import type { ServerReadableStream } from '@grpc/grpc-js';
import { invalidArgument } from '@berth/errors';
import { callMetadata } from '@berth/grpc-kit';
import type { daemon, imagestore, types } from '@berth/proto';
import { relayClientStream } from './client-stream-relay';

// Streams a `berth import` from the CLI to the image store without buffering it.
export function importImage(
  call: ServerReadableStream<daemon.ImportImageChunk, types.Image>,
  client: imagestore.ImageStoreServiceClient,
): Promise<types.Image> {
  let sawHeader = false;
  return relayClientStream(call, (callback) => client.import(callMetadata(true), callback), (chunk: daemon.ImportImageChunk): imagestore.ImportChunk | undefined => {
    if (chunk.part?.$case === 'header') {
      sawHeader = true;
      return { part: { $case: 'header', value: { ...chunk.part.value, architecture: '', os: '' } } };
    }
    if (chunk.part?.$case !== 'data') return undefined;
    if (!sawHeader) throw invalidArgument('an import stream must open with its header');
    return { part: chunk.part };
  });
}
