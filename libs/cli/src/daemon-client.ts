import { existsSync } from 'node:fs';
import type { ClientDuplexStream, handleUnaryCall } from '@grpc/grpc-js';
import { connectDirect, DEFAULT_TIMEOUT_MS, fromGrpcError, isServiceError, readStream, unaryCall, unixSocketPath } from '@berth/grpc-kit';
import { daemon, type types } from '@berth/proto';
import { ConnectionError, isUnreachable } from './connection-error';

// The service's own methods, without the index signature grpc-js adds to server interfaces.
type Service = {
  [K in keyof daemon.DaemonServiceServer as string extends K ? never : K]: daemon.DaemonServiceServer[K];
};

export type UnaryMethod = {
  [K in keyof Service]: Service[K] extends handleUnaryCall<infer _Req, infer _Res> ? K : never;
}[keyof Service];
export type RequestOf<K extends UnaryMethod> = Service[K] extends handleUnaryCall<infer Req, infer _Res> ? Req : never;
export type ResponseOf<K extends UnaryMethod> = Service[K] extends handleUnaryCall<infer _Req, infer Res> ? Res : never;

export type StdioStream = ClientDuplexStream<types.StdioClientFrame, types.StdioServerFrame>;

// The CLI's one connection to the daemon: typed calls with deadlines (none for calls that wait
// on a container), connection failures reported as ConnectionError, closed once at exit.
export class DaemonClient {
  private client: daemon.DaemonServiceClient | undefined;

  constructor(readonly host: string) {}

  private raw(): daemon.DaemonServiceClient {
    if (this.client === undefined) {
      const socket = unixSocketPath(this.host);
      if (socket !== undefined && !existsSync(socket)) throw new ConnectionError(this.host);
      this.client = connectDirect(daemon.DaemonServiceClient, this.host);
    }
    return this.client;
  }

  // timeoutMs 0 waits for as long as it takes (wait, stop of a slow container).
  async call<K extends UnaryMethod>(method: K, request: RequestOf<K>, timeoutMs: number = DEFAULT_TIMEOUT_MS): Promise<ResponseOf<K>> {
    try {
      return (await unaryCall(this.raw(), method as never, request as never, { timeoutMs })) as ResponseOf<K>;
    } catch (err) {
      throw this.translate(err);
    }
  }

  async *logs(request: types.LogsRequest): AsyncGenerator<types.LogEntry> {
    try {
      yield* readStream(this.raw().logs(request));
    } catch (err) {
      throw this.translate(err);
    }
  }

  async *pullImage(request: daemon.PullImageRequest, signal?: AbortSignal): AsyncGenerator<daemon.PullImageProgress> {
    const call = this.raw().pullImage(request);
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      yield* readStream(call);
    } catch (err) {
      throw this.translate(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async *pushImage(request: daemon.PushImageRequest): AsyncGenerator<daemon.PushImageProgress> {
    try {
      yield* readStream(this.raw().pushImage(request));
    } catch (err) {
      throw this.translate(err);
    }
  }

  // docker save and export: the archive's bytes as the daemon streams them.
  async *saveImages(request: daemon.SaveImagesRequest): AsyncGenerator<daemon.ArchiveChunk> {
    try {
      yield* readStream(this.raw().saveImages(request));
    } catch (err) {
      throw this.translate(err);
    }
  }

  async *exportContainer(request: daemon.ContainerRef): AsyncGenerator<daemon.ArchiveChunk> {
    try {
      yield* readStream(this.raw().exportContainer(request));
    } catch (err) {
      throw this.translate(err);
    }
  }

  loadImages(onDone: (err: unknown, response: daemon.LoadImagesResponse | undefined) => void): ReturnType<daemon.DaemonServiceClient['loadImages']> {
    return this.raw().loadImages((err, response) => onDone(err === null ? null : this.translate(err), response));
  }

  attach(): StdioStream {
    return this.raw().attach();
  }

  exec(): StdioStream {
    return this.raw().exec();
  }

  runContainer(): ClientDuplexStream<daemon.RunClientFrame, types.StdioServerFrame> {
    return this.raw().runContainer();
  }

  importImage(onDone: (err: unknown, image: types.Image | undefined) => void): ReturnType<daemon.DaemonServiceClient['importImage']> {
    return this.raw().importImage((err, image) => onDone(err === null ? null : this.translate(err), image));
  }

  // gRPC errors of streams and callbacks as BerthErrors, unreachable daemons as ConnectionError.
  translate(err: unknown): unknown {
    const berth = isServiceError(err) ? fromGrpcError(err) : err;
    return isUnreachable(berth) ? new ConnectionError(this.host) : berth;
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}
