import type { ClientDuplexStream, ServerDuplexStream } from '@grpc/grpc-js';
import { fromGrpcError, isServiceError } from './status-map';

export interface ProxyOptions<Res> {
  // Sees each upstream frame just before it is passed on (run: an exit retires a --rm container
  // before its client hears of it).
  beforeForward?: (frame: Res) => void;
}

// Pipes a server-side bidi call to an upstream bidi call, both ways, until the upstream ends.
// `rest` is the iterator over the caller's remaining frames (its first frame was already read
// to decide where to go), as the upstream takes them. Resolves when the upstream finishes;
// rejects with a BerthError.
export function proxyDuplex<In, Req, Res>(
  call: ServerDuplexStream<In, Res>,
  rest: AsyncIterator<Req>,
  upstream: ClientDuplexStream<Req, Res>,
  signal: AbortSignal,
  options: ProxyOptions<Res> = {},
): Promise<void> {
  const pumpInbound = async (): Promise<void> => {
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      if (!upstream.write(next.value)) await new Promise((resolve) => upstream.once('drain', resolve));
    }
    upstream.end();
  };
  // A caller frame the inbound side refuses (run: a second open frame) cancels the upstream, and
  // the caller is told why rather than that the upstream was cancelled.
  let refused: unknown;
  pumpInbound().catch((err: unknown) => {
    refused = err;
    upstream.cancel();
  });
  const onAbort = (): void => upstream.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  // The caller may have gone while the stream was being set up (run: during the create).
  if (signal.aborted) onAbort();
  return new Promise<void>((resolve, reject) => {
    // A full caller pauses the upstream until it drains.
    upstream.on('data', (frame: Res) => {
      options.beforeForward?.(frame);
      if (call.write(frame)) return;
      upstream.pause();
      call.once('drain', () => upstream.resume());
    });
    upstream.on('end', () => resolve());
    upstream.on('error', (err: unknown) => reject(refused ?? (isServiceError(err) ? fromGrpcError(err) : err)));
  }).finally(() => signal.removeEventListener('abort', onAbort));
}

// Reads the first frame of a bidi call and returns it with an iterator over the rest.
export async function firstFrame<T>(call: AsyncIterable<unknown>): Promise<{ first: T | undefined; rest: AsyncIterator<T> }> {
  const rest = (call as AsyncIterable<T>)[Symbol.asyncIterator]();
  const next = await rest.next();
  return { first: next.done ? undefined : next.value, rest };
}
