import type { ServerWritableStream } from '@grpc/grpc-js';
import { invalidArgument } from '@berth/errors';
import type { daemon } from '@berth/proto';
import type { PullCoordinator, PullEvent } from '@berth/pull-queue';
import { parseReference } from '@berth/reference';
import { registryAuth } from './registry-auth';

// One pull event as the CLI receives it.
export function progressMessage(event: PullEvent): daemon.PullImageProgress {
  switch (event.type) {
    case 'resolved':
      return { event: { $case: 'resolved', value: { reference: event.reference, digest: event.digest, layers: event.layers } } };
    case 'layer':
      return { event: { $case: 'layer', value: { id: event.id, digest: event.digest, status: event.status, current: event.current ?? 0, total: event.total ?? 0 } } };
    case 'done':
      return { event: { $case: 'done', value: { reference: event.reference, digest: event.digest, imageId: event.imageId, upToDate: event.upToDate } } };
  }
}

/*
 * PullImage: joins (or queues) the pull job for the image and streams its progress until it
 * ends. A client that hangs up only stops its own stream; the job finishes for the others and
 * for the next request (see PullCoordinator).
 */
export async function pullImage(
  pulls: PullCoordinator,
  call: ServerWritableStream<daemon.PullImageRequest, daemon.PullImageProgress>,
  signal: AbortSignal,
): Promise<void> {
  const { reference, platform } = call.request;
  if (reference === '') throw invalidArgument('a pull needs an image reference');
  // Refuses a bad reference here, with the parser's message, before anything is queued.
  parseReference(reference);
  let doneSent = false;
  const send = (event: PullEvent): void => {
    if (signal.aborted) return;
    if (event.type === 'done') doneSent = true;
    // Progress is advisory: a slow client skips nothing, grpc-js buffers what it cannot take yet.
    call.write(progressMessage(event));
  };
  const auth = registryAuth(call.request.auth);
  const result = await pulls.pull({ reference, platform, ...(auth ? { auth } : {}) }, send, signal);
  if (!doneSent) send({ type: 'done', ...result });
}
