import type { ServerWritableStream } from '@grpc/grpc-js';
import { invalidArgument } from '@berth/errors';
import type { daemon } from '@berth/proto';
import type { PushCoordinator, PushEvent } from '@berth/pull-queue';
import { parseReference } from '@berth/reference';
import { registryAuth } from './registry-auth';

// One push event as the CLI receives it.
export function pushProgressMessage(event: PushEvent): daemon.PushImageProgress {
  switch (event.type) {
    case 'resolved':
      return { event: { $case: 'resolved', value: { reference: event.reference, digest: event.digest, layers: event.layers } } };
    case 'layer':
      return {
        event: { $case: 'layer', value: { id: event.id, digest: event.digest, status: event.status, current: event.current ?? 0, total: event.total ?? 0, from: event.from ?? '' } },
      };
    case 'done':
      return { event: { $case: 'done', value: { reference: event.reference, digest: event.digest, imageId: event.imageId, size: event.size } } };
  }
}

/*
 * PushImage: joins (or queues) the push job for the tag and streams its progress until it
 * ends. A client that hangs up only stops its own stream; the push finishes.
 */
export async function pushImage(
  pushes: PushCoordinator,
  call: ServerWritableStream<daemon.PushImageRequest, daemon.PushImageProgress>,
  signal: AbortSignal,
): Promise<void> {
  const { reference } = call.request;
  if (reference === '') throw invalidArgument('a push needs an image reference');
  const ref = parseReference(reference);
  if (ref.digest !== undefined) throw invalidArgument(`cannot push a digest reference: ${reference}`);
  let doneSent = false;
  const send = (event: PushEvent): void => {
    if (signal.aborted) return;
    if (event.type === 'done') doneSent = true;
    call.write(pushProgressMessage(event));
  };
  const auth = registryAuth(call.request.auth);
  const result = await pushes.run({ reference, ...(auth ? { auth } : {}) }, send, signal);
  if (!doneSent) send({ type: 'done', ...result });
}
