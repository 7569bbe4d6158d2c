import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ContainerService } from '@berth/daemon-core';
import { invalidArgument } from '@berth/errors';
import { callMetadata, firstFrame, fromGrpcError, isServiceError, proxyDuplex } from '@berth/grpc-kit';
import type { daemon, types } from '@berth/proto';
import type { RuntimeClient } from './runtime-client';

// The stdio frames that follow RunContainer's open frame, as the runtime shim's attach takes them.
async function* stdioFrames(rest: AsyncIterator<daemon.RunClientFrame>): AsyncGenerator<types.StdioClientFrame> {
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    const frame = next.value.frame;
    if (frame?.$case !== 'stdio') throw invalidArgument('a run stream takes its open frame first and only once');
    yield frame.value;
  }
}

/*
 * RunContainer (docker run, attached): creates and starts the container in one step with the
 * runtime, its output held unread until the attach is live, so that no output is lost. The
 * attach goes to the runtime shim along with the create (the shim waits for the create), then
 * the client hears the container's ID, and the attach is relayed both ways. A failure before
 * `created` left nothing behind (the create cleans up after itself); after it, the container
 * stays as docker's would (a --rm one is removed once it exits, and leaves the daemon's view
 * before its client hears the exit).
 */
export async function runContainer(
  containers: ContainerService,
  runtime: RuntimeClient,
  call: ServerDuplexStream<daemon.RunClientFrame, types.StdioServerFrame>,
  signal: AbortSignal,
): Promise<void> {
  const { first, rest } = await firstFrame<daemon.RunClientFrame>(call);
  if (first?.frame?.$case !== 'open' || first.frame.value.create === undefined) throw invalidArgument('a run stream must open with a RunOpen frame');
  const { create, stdin, stdout, stderr } = first.frame.value;
  const upstream = runtime.client.attach(callMetadata(true));
  // Until the proxy listens, the attach's failure waits here: the create's own error, if any,
  // is what the caller hears.
  let attachError: unknown;
  const keepError = (err: unknown): void => {
    attachError ??= err;
  };
  upstream.on('error', keepError);
  let created: daemon.CreateContainerResponse;
  try {
    created = await containers.create(create, {
      start: { start: true, holdOutput: true },
      exitSeenByCaller: true,
      onRuntimeCreate: (id) => upstream.write({ frame: { $case: 'attach', value: { id, stdin, stdout, stderr, logs: false, prepareStart: false, afterCreate: true } } }),
    });
  } catch (err) {
    upstream.cancel();
    throw err;
  }
  call.write({ frame: { $case: 'created', value: { id: created.id, warnings: created.warnings } } });
  upstream.off('error', keepError);
  // A --rm container is gone from view before its client hears its exit (docker's run --rm
  // returns once it is removed): a name given again at once is free. If the stream ends without
  // its exit (the client went, detached, or the attach failed), it is removed once it exits.
  let exitSeen = false;
  try {
    if (attachError !== undefined) throw isServiceError(attachError) ? fromGrpcError(attachError) : attachError;
    await proxyDuplex(call, stdioFrames(rest), upstream, signal, {
      beforeForward: (frame) => {
        if (frame.frame?.$case !== 'exit') return;
        exitSeen = true;
        containers.retire(created.id);
      },
    });
  } finally {
    if (!exitSeen) containers.removeWhenExited(created.id);
  }
}
