import {
  credentials,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientOptions,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { grpcTarget } from './address';
import { DirectChannel } from './direct-channel';
import { MAX_MESSAGE_BYTES } from './message-frames';
import { fromGrpcError, isServiceError } from './status-map';

export type ClientConstructor<C extends Client> = new (
  address: string,
  creds: ChannelCredentials,
  options?: Partial<ClientOptions>,
) => C;

export function connect<C extends Client>(Ctor: ClientConstructor<C>, address: string): C {
  return new Ctor(grpcTarget(address), credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // Services on one machine come and go in milliseconds (restarts): retry soon, not after 2 minutes.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
    // No channelz tracing (see createServer).
    'grpc.enable_channelz': 0,
  });
}

// For a short-lived client (the CLI): its calls share one connection, made by the first call and
// sent along with it (see DirectChannel). No waiting for a server that is not up.
export function connectDirect<C extends Client>(Ctor: ClientConstructor<C>, address: string): C {
  const channel = new DirectChannel(address);
  return new Ctor(channel.getTarget(), credentials.createInsecure(), { channelOverride: channel });
}

export interface CallSettings {
  // Milliseconds; 0 means no deadline (for calls that wait on a container).
  timeoutMs?: number;
  signal?: AbortSignal;
  // Wait (within the deadline) for a service that is starting or restarting, instead of failing
  // at once. Service-to-service calls want this; the CLI wants docker's immediate error.
  waitForReady?: boolean;
}

export function callMetadata(waitForReady: boolean): Metadata {
  return new Metadata({ waitForReady });
}

export const DEFAULT_TIMEOUT_MS = 30_000;

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

type UnaryKeys<C> = {
  [K in keyof C]: C[K] extends UnaryMethod<infer _Req, infer _Res> ? K : never;
}[keyof C];

type RequestOf<M> = M extends UnaryMethod<infer Req, infer _Res> ? Req : never;
type ResponseOf<M> = M extends UnaryMethod<infer _Req, infer Res> ? Res : never;

function callOptions(settings: CallSettings): Partial<CallOptions> {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return timeoutMs > 0 ? { deadline: new Date(Date.now() + timeoutMs) } : {};
}

// Calls a unary method and returns a promise; gRPC errors come back as BerthErrors.
export function unaryCall<C extends Client, K extends UnaryKeys<C>>(
  client: C,
  method: K,
  request: RequestOf<C[K]>,
  settings: CallSettings = {},
): Promise<ResponseOf<C[K]>> {
  const fn = client[method] as unknown as UnaryMethod<RequestOf<C[K]>, ResponseOf<C[K]>>;
  return new Promise((resolve, reject) => {
    const call = fn.call(client, request, callMetadata(settings.waitForReady ?? false), callOptions(settings), (err, response) => {
      settings.signal?.removeEventListener('abort', onAbort);
      if (err) reject(fromGrpcError(err));
      else resolve(response);
    });
    const onAbort = (): void => call.cancel();
    settings.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// Iterates a server stream, translating gRPC errors to BerthErrors.
export async function* readStream<T>(stream: ClientReadableStream<T>): AsyncGenerator<T> {
  try {
    for await (const message of stream) yield message as T;
  } catch (err) {
    throw isServiceError(err) ? fromGrpcError(err) : err;
  } finally {
    stream.cancel();
  }
}

export { callOptions };
