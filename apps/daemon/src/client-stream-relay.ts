import type { ClientWritableStream, ServerReadableStream, ServiceError } from '@grpc/grpc-js';
import { fromGrpcError, isServiceError } from '@berth/grpc-kit';

/*
 * Relays a client stream (import, load) from the CLI to a service without buffering it: each
 * message goes through `map` (undefined drops it; a throw ends the relay) at the pace the service
 * takes them. A service that refuses the stream early stops the relay then, not at the end.
 */
export async function relayClientStream<In, Out, Res>(
  call: ServerReadableStream<In, unknown>,
  open: (callback: (err: ServiceError | null, response: Res) => void) => ClientWritableStream<Out>,
  map: (message: In) => Out | undefined,
): Promise<Res> {
  let upstream: ClientWritableStream<Out> | undefined;
  const result = new Promise<Res>((resolve, reject) => {
    upstream = open((err, response) => (err ? reject(isServiceError(err) ? fromGrpcError(err) : err) : resolve(response)));
  });
  const stream = upstream as ClientWritableStream<Out>;
  call.on('cancelled', () => stream.cancel());
  let refused = false;
  const settled = result.then(
    () => undefined,
    () => {
      refused = true;
    },
  );
  try {
    for await (const message of call as AsyncIterable<In>) {
      if (refused) break;
      const out = map(message);
      if (out !== undefined && !stream.write(out)) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), settled]);
    }
    stream.end();
  } catch (err) {
    stream.cancel();
    await settled;
    throw err;
  }
  return result;
}
