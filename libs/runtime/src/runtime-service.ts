import type { ServerDuplexStream } from '@grpc/grpc-js';
import { invalidArgument } from '@berth/errors';
import { bidiStream, firstFrame, serverStream, unary } from '@berth/grpc-kit';
import type { runtime, types } from '@berth/proto';
import type { RuntimeManager, StdioCall } from './runtime-manager';

type StdioStream = ServerDuplexStream<types.StdioClientFrame, types.StdioServerFrame>;

function stdioCall(call: StdioStream, rest: AsyncIterator<types.StdioClientFrame>, signal: AbortSignal): StdioCall {
  return { input: rest, write: (frame) => void call.write(frame), signal };
}

// RuntimeService over gRPC: a thin translation onto the RuntimeManager.
export function runtimeService(manager: RuntimeManager): runtime.RuntimeServiceServer {
  return {
    create: unary(async (request) => manager.create(request.spec, { start: request.start, holdOutput: request.holdOutput })),
    start: unary(async (request) => manager.start(request.id)),
    kill: unary(async (request) => {
      await manager.kill(request.id, request.signal);
      return {};
    }),
    delete: unary(async (request) => {
      await manager.delete(request.id, request.force);
      return {};
    }),
    state: unary(async (request) => manager.state(request.id)),
    list: unary(async () => ({ containers: await manager.list() })),
    wait: unary(async (request, call) => {
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      return manager.wait(request.id, controller.signal);
    }),
    logs: serverStream(async (request, call, signal) => {
      for await (const entry of manager.logs(request, signal)) {
        if (!call.write(entry)) await new Promise((resolve) => call.once('drain', resolve));
      }
    }),
    attach: bidiStream(async (call, signal) => {
      const { first, rest } = await firstFrame<types.StdioClientFrame>(call);
      if (first?.frame?.$case !== 'attach') throw invalidArgument('an attach stream must open with an AttachOpen frame');
      await manager.attach(first.frame.value, stdioCall(call, rest, signal));
    }),
    exec: bidiStream(async (call, signal) => {
      const { first, rest } = await firstFrame<types.StdioClientFrame>(call);
      if (first?.frame?.$case !== 'exec') throw invalidArgument('an exec stream must open with an ExecOpen frame');
      await manager.exec(first.frame.value, stdioCall(call, rest, signal));
    }),
    resize: unary(async (request) => {
      await manager.resize(request.id, request.size);
      return {};
    }),
    pause: unary(async (request) => {
      await manager.pause(request.id);
      return {};
    }),
    resume: unary(async (request) => {
      await manager.resume(request.id);
      return {};
    }),
    top: unary(async (request) => manager.top(request)),
  };
}
