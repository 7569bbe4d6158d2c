import type { ServerReadableStream } from '@grpc/grpc-js';
import { invalidArgument } from '@berth/errors';
import { callMetadata, fromGrpcError, isServiceError } from '@berth/grpc-kit';
import type { daemon, imagestore, types } from '@berth/proto';

// Streams a `berth import` from the CLI to the image store without buffering it.
export async function importImage(
  call: ServerReadableStream<daemon.ImportImageChunk, types.Image>,
  client: imagestore.ImageStoreServiceClient,
): Promise<types.Image> {
  let upstream: ReturnType<imagestore.ImageStoreServiceClient['import']> | undefined;
  const result = new Promise<types.Image>((resolve, reject) => {
    upstream = client.import(callMetadata(true), (err, image) => (err ? reject(isServiceError(err) ? fromGrpcError(err) : err) : resolve(image)));
  });
  const stream = upstream as NonNullable<typeof upstream>;
  call.on('cancelled', () => stream.cancel());
  let sawHeader = false;
  try {
    for await (const chunk of call as AsyncIterable<daemon.ImportImageChunk>) {
      if (chunk.part?.$case === 'header') {
        sawHeader = true;
        stream.write({ part: { $case: 'header', value: { ...chunk.part.value, architecture: '', os: '' } } });
      } else if (chunk.part?.$case === 'data') {
        if (!sawHeader) throw invalidArgument('an import stream must open with its header');
        if (!stream.write({ part: chunk.part })) await new Promise((resolve) => stream.once('drain', resolve));
      }
    }
    stream.end();
  } catch (err) {
    stream.cancel();
    await result.catch(() => undefined);
    throw err;
  }
  return result;
}
