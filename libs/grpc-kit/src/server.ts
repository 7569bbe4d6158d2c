import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  Server,
  ServerCredentials,
  type handleBidiStreamingCall,
  type handleClientStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { grpcTarget } from './address';
import { toGrpcError } from './status-map';

// Handlers are written as async functions; these adapters turn them into grpc-js handlers and
// translate thrown errors to a status in one place.

export function unary<Req, Res>(
  fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toGrpcError(err)),
    );
  };
}

export function clientStream<Req, Res>(
  fn: (call: ServerReadableStream<Req, Res>) => Promise<Res>,
): handleClientStreamingCall<Req, Res> {
  return (call, callback) => {
    fn(call).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toGrpcError(err)),
    );
  };
}

function cancellation(call: { on(event: 'cancelled', listener: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort());
  return controller.signal;
}

export function serverStream<Req, Res>(
  fn: (request: Req, call: ServerWritableStream<Req, Res>, signal: AbortSignal) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call) => {
    const signal = cancellation(call);
    fn(call.request, call, signal).then(
      () => call.end(),
      (err: unknown) => {
        if (!signal.aborted) call.emit('error', toGrpcError(err));
      },
    );
  };
}

export function bidiStream<Req, Res>(
  fn: (call: ServerDuplexStream<Req, Res>, signal: AbortSignal) => Promise<void>,
): handleBidiStreamingCall<Req, Res> {
  return (call) => {
    const signal = cancellation(call);
    fn(call, signal).then(
      () => call.end(),
      (err: unknown) => {
        if (!signal.aborted) call.emit('error', toGrpcError(err));
      },
    );
  };
}

// Binds to a unix socket (removing a stale one first) or a TCP address.
export async function listen(server: Server, address: string): Promise<void> {
  const target = grpcTarget(address);
  if (target.startsWith('unix://')) {
    const path = target.slice('unix://'.length);
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) rmSync(path);
  }
  await new Promise<number>((resolve, reject) => {
    server.bindAsync(target, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

export function shutdown(server: Server, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function createServer(): Server {
  return new Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    // Channelz (grpc-js's call tracing for its admin service, which Berth never serves) costs
    // every call some bookkeeping.
    'grpc.enable_channelz': 0,
  });
}
