import { constants as http2, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { Metadata, status as Status, type ChannelInterface, type Deadline, type InterceptingListener, type StatusObject } from '@grpc/grpc-js';
import { httpStatusError, statusFromClose, statusFromTrailers } from './call-status';
import { frameMessage, MessageDecoder, MessageTooLargeError } from './message-frames';

type Call = ReturnType<ChannelInterface['createCall']>;
type MessageContext = Parameters<Call['sendMessageWithContext']>[0];

export interface CallTarget {
  // The channel's HTTP/2 session for this call (made on first use), held until release; throws
  // when the channel is closed.
  hold: () => ClientHttp2Session;
  release: () => void;
  // Why the session went away under the call, when it did.
  lostConnection: (session: ClientHttp2Session) => Error | undefined;
  authority: string;
  maxMessageBytes: number;
}

// grpc-timeout: at most 8 digits, in the finest unit that fits.
function timeoutHeader(ms: number): string {
  const units: Array<[string, number]> = [['m', 1], ['S', 1000], ['M', 60_000], ['H', 3_600_000]];
  for (const [unit, size] of units) {
    const value = Math.max(1, Math.ceil(ms / size));
    if (value < 1e8) return `${value}${unit}`;
  }
  return '99999999H';
}

// One call of a DirectChannel: one HTTP/2 stream carrying gRPC's framing, with grpc-js's
// semantics towards the client above it (one message per startRead, the status after the
// last message read unless it is an error, errors from resets and lost connections).
export class DirectCall implements Call {
  private session: ClientHttp2Session | undefined;
  private stream: ClientHttp2Stream | undefined;
  private listener: InterceptingListener | undefined;
  private readonly decoder: MessageDecoder;
  private readonly unread: Buffer[] = [];
  private readWanted = false;
  private messageInFlight = false;
  private readsClosed = false;
  private httpStatus: number | undefined;
  private streamError: Error | undefined;
  private finalStatus: StatusObject | undefined;
  private statusOutput = false;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private holdsSession = false;

  constructor(
    private readonly target: CallTarget,
    private readonly method: string,
    private readonly deadline: Deadline,
    private readonly callNumber: number,
  ) {
    this.decoder = new MessageDecoder(target.maxMessageBytes);
  }

  start(metadata: Metadata, listener: InterceptingListener): void {
    this.listener = listener;
    const timeoutMs = (this.deadline instanceof Date ? this.deadline.getTime() : this.deadline) - Date.now();
    if (timeoutMs <= 0) {
      this.cancelWithStatus(Status.DEADLINE_EXCEEDED, 'Deadline exceeded');
      return;
    }
    const headers: OutgoingHttpHeaders = {
      ...metadata.toHttp2Headers(),
      [http2.HTTP2_HEADER_METHOD]: 'POST',
      [http2.HTTP2_HEADER_PATH]: this.method,
      [http2.HTTP2_HEADER_AUTHORITY]: this.target.authority,
      [http2.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [http2.HTTP2_HEADER_TE]: 'trailers',
      'grpc-accept-encoding': 'identity',
    };
    if (Number.isFinite(timeoutMs)) {
      headers['grpc-timeout'] = timeoutHeader(timeoutMs);
      this.deadlineTimer = setTimeout(() => this.cancelWithStatus(Status.DEADLINE_EXCEEDED, 'Deadline exceeded'), timeoutMs);
    }
    let stream: ClientHttp2Stream;
    try {
      const session = this.target.hold();
      this.session = session;
      this.holdsSession = true;
      stream = session.request(headers);
    } catch (err) {
      this.cancelWithStatus(Status.UNAVAILABLE, (err as Error).message);
      return;
    }
    this.stream = stream;
    stream.on('response', (response: IncomingHttpHeaders, flags: number) => this.onResponse(response, flags));
    stream.on('trailers', (trailers: IncomingHttpHeaders) => this.onTrailers(trailers));
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => {
      this.readsClosed = true;
      this.maybeOutputStatus();
    });
    stream.on('error', (err: Error & { code?: string }) => {
      if (err.code !== 'ERR_HTTP2_STREAM_ERROR') this.streamError = err;
    });
    // After the events of the same tick (trailers read with the close), as grpc-js does.
    stream.on('close', () => process.nextTick(() => this.onClose(stream.rstCode)));
  }

  private onResponse(headers: IncomingHttpHeaders, flags: number): void {
    this.httpStatus = Number(headers[http2.HTTP2_HEADER_STATUS]);
    if ((flags & http2.NGHTTP2_FLAG_END_STREAM) !== 0) {
      this.onTrailers(headers);
      return;
    }
    try {
      this.listener?.onReceiveMetadata(Metadata.fromHttp2Headers(headers));
    } catch (err) {
      this.cancelWithStatus(Status.UNKNOWN, (err as Error).message);
    }
  }

  private onTrailers(headers: IncomingHttpHeaders): void {
    this.endCall(statusFromTrailers(headers, this.httpStatus));
  }

  private onData(chunk: Buffer): void {
    if (this.statusOutput) return;
    let messages: Buffer[];
    try {
      messages = this.decoder.write(chunk);
    } catch (err) {
      if (this.httpStatus !== undefined && this.httpStatus !== 200) {
        this.endCall(httpStatusError(this.httpStatus));
      } else {
        this.cancelWithStatus(err instanceof MessageTooLargeError ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL, (err as Error).message);
      }
      return;
    }
    this.unread.push(...messages);
    this.deliverNext();
  }

  private onClose(rstCode: number | undefined): void {
    if (this.finalStatus !== undefined) return;
    const lost = (this.session === undefined ? undefined : this.target.lostConnection(this.session)) ?? this.streamError;
    this.endCall(statusFromClose(rstCode, lost, this.httpStatus));
  }

  // One message per startRead, each on its own tick, the stream paused while messages wait.
  private deliverNext(): void {
    if (this.unread.length > 0) this.stream?.pause();
    if (!this.readWanted || this.messageInFlight || this.unread.length === 0) return;
    const message = this.unread.shift() as Buffer;
    this.readWanted = false;
    this.messageInFlight = true;
    process.nextTick(() => {
      this.messageInFlight = false;
      if (this.statusOutput) return;
      this.listener?.onReceiveMessage(message);
      this.maybeOutputStatus();
    });
  }

  // A later error replaces an OK that has not gone out yet (grpc-js's rule); an error also ends
  // the stream.
  private endCall(status: StatusObject): void {
    if (this.finalStatus === undefined || this.finalStatus.code === Status.OK) {
      this.finalStatus = status;
      this.maybeOutputStatus();
    }
    if (status.code !== Status.OK && this.stream !== undefined && !this.stream.closed) this.stream.close(http2.NGHTTP2_CANCEL);
  }

  // An error goes out at once; OK only once every message was read.
  private maybeOutputStatus(): void {
    const status = this.finalStatus;
    if (status === undefined || this.statusOutput) return;
    if (status.code === Status.OK && !(this.readsClosed && this.unread.length === 0 && !this.messageInFlight)) return;
    this.statusOutput = true;
    clearTimeout(this.deadlineTimer);
    if (this.holdsSession) this.target.release();
    this.holdsSession = false;
    process.nextTick(() => this.listener?.onReceiveStatus(status));
    // Whatever else arrives is drained, not buffered.
    this.stream?.resume();
  }

  // As grpc-js does, a failed write ends the call with a status; the writer's callback only
  // says that the write is done.
  sendMessageWithContext(context: MessageContext, message: Buffer): void {
    const done = (err?: (Error & { code?: string }) | null): void =>
      process.nextTick(() => {
        if (err) this.cancelWithStatus(err.code === 'ERR_STREAM_WRITE_AFTER_END' ? Status.INTERNAL : Status.UNAVAILABLE, `Write error: ${err.message}`);
        context.callback?.();
      });
    // A call that ended before it had a stream has its status out already.
    if (this.stream === undefined) {
      done();
      return;
    }
    // grpc-js's channel refuses these too, before they reach the server.
    if (message.length > this.target.maxMessageBytes) {
      this.cancelWithStatus(Status.RESOURCE_EXHAUSTED, `Sent message larger than max (${message.length} vs. ${this.target.maxMessageBytes})`);
      done();
      return;
    }
    try {
      this.stream.write(frameMessage(message), done);
    } catch (err) {
      done(err as Error);
    }
  }

  startRead(): void {
    this.readWanted = true;
    if (this.unread.length === 0) this.stream?.resume();
    this.deliverNext();
  }

  halfClose(): void {
    if (this.stream !== undefined && !this.stream.closed) this.stream.end();
  }

  cancelWithStatus(code: Status, details: string): void {
    this.endCall({ code, details, metadata: new Metadata() });
  }

  getPeer(): string {
    return this.target.authority;
  }

  getCallNumber(): number {
    return this.callNumber;
  }

  setCredentials(): void {
    throw new Error('a DirectChannel carries no call credentials');
  }

  getAuthContext(): null {
    return null;
  }
}
