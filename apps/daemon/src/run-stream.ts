import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ContainerService } from '@berth/daemon-core';
import { invalidArgument } from '@berth/errors';
import { callMetadata, firstFrame, proxyDuplex } from '@berth/grpc-kit';
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
 * RunContainer (docker run, attached): creates the container, tells the client its ID, attaches
 * to it through the runtime shim and starts it once the attach is live, so that no output is
 * lost; then it relays the attach both ways. A failure before `created` left nothing behind (the
 * create cleans up after itself); after it, the container stays as docker's would, and a --rm one
 * that fails to start is removed by the start.
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
  const created = await containers.create(create);
  call.write({ frame: { $case: 'created', value: { id: created.id, warnings: created.warnings } } });
  const upstream = runtime.client.attach(callMetadata(true));
  upstream.write({ frame: { $case: 'attach', value: { id: created.id, stdin, stdout, stderr, logs: false, prepareStart: true } } });
  await proxyDuplex(call, stdioFrames(rest), upstream, signal, { beforeFirstFrame: () => containers.start(created.id) });
}
