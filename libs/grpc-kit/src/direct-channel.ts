import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import { connect as connectSocket, type NetConnectOpts } from 'node:net';
import { connectivityState, type ChannelInterface, type Deadline } from '@grpc/grpc-js';
import { grpcTarget, socketAddress } from './address';
import { DirectCall } from './direct-call';
import { MAX_MESSAGE_BYTES } from './message-frames';

type ChannelRef = ReturnType<ChannelInterface['getChannelzRef']>;

// A grpc-js channel to one server at a fixed address, for a short-lived client (the CLI): its
// first call goes out with the connection's first bytes. grpc-js's own channel first resolves
// the name, picks a subchannel and waits for the server's HTTP/2 settings, which is most of a
// short command's time in the client; what it adds (name resolution, balancing, reconnection
// with back-off, waiting for a server that is not up yet) is for services, which keep using it.
// Calls see grpc-js's semantics: a lost or refused connection ends them with UNAVAILABLE.
export class DirectChannel implements ChannelInterface {
  private readonly target: string;
  private readonly socket: NetConnectOpts;
  private session: ClientHttp2Session | undefined;
  private readonly sessionErrors = new WeakMap<ClientHttp2Session, Error>();
  private activeCalls = 0;
  private calls = 0;
  private closed = false;

  constructor(address: string) {
    this.target = grpcTarget(address);
    this.socket = socketAddress(this.target);
  }

  // The session of the calls under way (a new one once it has gone), kept from holding the
  // process open while no call is.
  private hold(): ClientHttp2Session {
    if (this.closed) throw new Error('Channel has been shut down');
    if (this.session === undefined || this.session.closed || this.session.destroyed) {
      const session = connectHttp2('http://localhost', { createConnection: () => connectSocket(this.socket) });
      session.on('error', (err: Error) => this.sessionErrors.set(session, err));
      session.on('close', () => {
        if (this.session === session) this.session = undefined;
      });
      this.session = session;
    }
    if (this.activeCalls++ === 0) this.session.ref();
    return this.session;
  }

  private release(): void {
    if (--this.activeCalls === 0) this.session?.unref();
  }

  // Why a call's session went away under it, if it did.
  private lostConnection(session: ClientHttp2Session): Error | undefined {
    if (!session.destroyed) return undefined;
    return this.sessionErrors.get(session) ?? new Error('Connection dropped');
  }

  createCall(method: string, deadline: Deadline): DirectCall {
    return new DirectCall(
      {
        hold: () => this.hold(),
        release: () => this.release(),
        lostConnection: (session) => this.lostConnection(session),
        authority: 'localhost',
        maxMessageBytes: MAX_MESSAGE_BYTES,
      },
      method,
      deadline,
      ++this.calls,
    );
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  getTarget(): string {
    return this.target;
  }

  getConnectivityState(): connectivityState {
    if (this.closed) return connectivityState.SHUTDOWN;
    return this.session === undefined ? connectivityState.IDLE : connectivityState.READY;
  }

  watchConnectivityState(_current: connectivityState, _deadline: Date | number, callback: (error?: Error) => void): void {
    process.nextTick(callback, new Error('a DirectChannel does not report connectivity changes'));
  }

  getChannelzRef(): ChannelRef {
    return { kind: 'channel' as ChannelRef['kind'], id: 0, name: this.target };
  }
}
