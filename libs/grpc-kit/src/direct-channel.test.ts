import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Metadata,
  Server,
  ServerCredentials,
  makeGenericClientConstructor,
  status,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { connectDirect } from './client';
import { MAX_MESSAGE_BYTES } from './message-frames';

// The DirectChannel against grpc-js's own server: what the CLI sees must be what grpc-js's
// channel gives (messages in order under flow control, statuses, metadata, cancellation,
// deadlines, lost connections).
const bytes = (value: Buffer): Buffer => value;
const method = (name: string, requestStream: boolean, responseStream: boolean) => ({
  path: `/test.Test/${name}`,
  requestStream,
  responseStream,
  requestSerialize: bytes,
  requestDeserialize: bytes,
  responseSerialize: bytes,
  responseDeserialize: bytes,
});
const service = {
  echo: method('Echo', false, false),
  fail: method('Fail', false, false),
  hang: method('Hang', false, false),
  many: method('Many', false, true),
  chat: method('Chat', true, true),
  refuse: method('Refuse', true, true),
};

interface TestClient extends Client {
  echo(request: Buffer, metadata: Metadata, options: { deadline?: Date }, callback: (err: ServiceError | null, response?: Buffer) => void): void;
  fail(request: Buffer, callback: (err: ServiceError | null, response?: Buffer) => void): void;
  hang(request: Buffer, metadata: Metadata, options: { deadline?: Date }, callback: (err: ServiceError | null, response?: Buffer) => void): void;
  many(request: Buffer): ClientReadableStream<Buffer>;
  chat(): ClientDuplexStream<Buffer, Buffer>;
  refuse(): ClientDuplexStream<Buffer, Buffer>;
}
const TestClientCtor = makeGenericClientConstructor(service, 'Test') as unknown as new (...args: ConstructorParameters<ReturnType<typeof makeGenericClientConstructor>>) => TestClient;

const CHUNK = 100 * 1024;

let scratch: string;
let address: string;
let server: Server;
let cancelled: Promise<void>;
let onCancelled: () => void;

function unaryCall(call: (callback: (err: ServiceError | null, response?: Buffer) => void) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => call((err, response) => (err ? reject(err) : resolve(response ?? Buffer.alloc(0)))));
}

function unaryError(call: (callback: (err: ServiceError | null, response?: Buffer) => void) => void): Promise<ServiceError> {
  return unaryCall(call).then(
    () => Promise.reject(new Error('the call succeeded')),
    (err: unknown) => err as ServiceError,
  );
}

function collect(stream: ClientReadableStream<Buffer> | ClientDuplexStream<Buffer, Buffer>): Promise<{ messages: Buffer[]; error?: ServiceError }> {
  const messages: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on('data', (message: Buffer) => messages.push(message));
    stream.on('error', (error: ServiceError) => resolve({ messages, error }));
    stream.on('status', (s: { code: number }) => {
      if (s.code === status.OK) resolve({ messages });
    });
  });
}

function bind(target: Server, at: string): Promise<number> {
  return new Promise((resolve, reject) => target.bindAsync(at, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
}

// A client on the test server (or another address), closed when the test is done with it.
async function withClient(test: (client: TestClient) => Promise<void>, target = address): Promise<void> {
  const client = connectDirect(TestClientCtor, target);
  try {
    await test(client);
  } finally {
    client.close();
  }
}

// A chat the server has answered once: the call is live on both ends.
async function liveChat(client: TestClient): Promise<{ chat: ClientDuplexStream<Buffer, Buffer>; result: ReturnType<typeof collect> }> {
  const chat = client.chat();
  const result = collect(chat);
  chat.write(Buffer.from('x'));
  await new Promise<void>((resolve) => chat.once('data', () => resolve()));
  return { chat, result };
}

const echoOnly = { echo: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, call.request) };

beforeEach(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'berth-direct-'));
  address = `unix://${join(scratch, 'test.sock')}`;
  cancelled = new Promise((resolve) => (onCancelled = resolve));
  server = new Server();
  server.addService(service, {
    echo: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const reply = new Metadata();
      reply.set('x-seen', String(call.metadata.get('x-sent')[0] ?? ''));
      call.sendMetadata(reply);
      callback(null, call.request);
    },
    fail: (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const metadata = new Metadata();
      metadata.set('berth-error-code', 'not_found');
      callback({ code: status.NOT_FOUND, details: 'no such thing: 100% gone', metadata });
    },
    hang: (call: ServerUnaryCall<Buffer, Buffer>) => call.on('cancelled', () => onCancelled()),
    many: (call: ServerWritableStream<Buffer, Buffer>) => {
      const count = call.request.readUInt32BE(0);
      for (let i = 0; i < count; i++) call.write(Buffer.alloc(CHUNK, i % 256));
      call.end();
    },
    chat: (call: ServerDuplexStream<Buffer, Buffer>) => {
      call.on('cancelled', () => onCancelled());
      call.on('data', (message: Buffer) => call.write(Buffer.concat([Buffer.from('re:'), message])));
      call.on('end', () => call.end());
    },
    refuse: (call: ServerDuplexStream<Buffer, Buffer>) => {
      call.once('data', () => call.emit('error', { code: status.PERMISSION_DENIED, details: 'go away' }));
    },
  });
  await bind(server, address);
});

afterEach(() => {
  server.forceShutdown();
  rmSync(scratch, { recursive: true, force: true });
});

describe('DirectChannel', () => {
  it('makes unary calls with metadata both ways, several over one connection', () =>
    withClient(async (client) => {
      const sent = new Metadata();
      sent.set('x-sent', 'hello');
      let seen: Metadata | undefined;
      const reply = await unaryCall((callback) => {
        const call = client.echo(Buffer.from('ping'), sent, {}, callback) as unknown as { on(event: 'metadata', listener: (m: Metadata) => void): void };
        call.on('metadata', (metadata) => (seen = metadata));
      });
      expect(reply.toString()).toBe('ping');
      expect(seen?.get('x-seen')).toEqual(['hello']);
      const more = await Promise.all([1, 2, 3].map((n) => unaryCall((callback) => client.echo(Buffer.from(`n${n}`), new Metadata(), {}, callback))));
      expect(more.map(String)).toEqual(['n1', 'n2', 'n3']);
    }));

  it('reports the server\'s error status with its details and trailing metadata', () =>
    withClient(async (client) => {
      const err = await unaryError((callback) => client.fail(Buffer.alloc(0), callback));
      expect(err.code).toBe(status.NOT_FOUND);
      expect(err.details).toBe('no such thing: 100% gone');
      expect(err.metadata.get('berth-error-code')).toEqual(['not_found']);
    }));

  it('reads a long server stream whole and in order, beyond the flow-control windows', () =>
    withClient(async (client) => {
      const count = Buffer.alloc(4);
      count.writeUInt32BE(200);
      const { messages, error } = await collect(client.many(count));
      expect(error).toBeUndefined();
      expect(messages).toHaveLength(200);
      expect(messages.every((message, i) => message.length === CHUNK && message[0] === i % 256 && message[CHUNK - 1] === i % 256)).toBe(true);
    }));

  it('carries a bidirectional stream to its end after the client half-closes', () =>
    withClient(async (client) => {
      const chat = client.chat();
      const result = collect(chat);
      for (const word of ['a', 'b', 'c']) chat.write(Buffer.from(word));
      chat.end();
      const { messages, error } = await result;
      expect(error).toBeUndefined();
      expect(messages.map(String)).toEqual(['re:a', 're:b', 're:c']);
    }));

  it('takes writes after the server ended the call without failing them (the status says it all)', () =>
    withClient(async (client) => {
      const call = client.refuse();
      const result = collect(call);
      call.write(Buffer.from('first'));
      expect((await result).error?.code).toBe(status.PERMISSION_DENIED);
      await new Promise<void>((resolve) => call.write(Buffer.from('late'), () => resolve()));
      call.end();
    }));

  it('cancels a stream: the client sees CANCELLED and the server hears of it', () =>
    withClient(async (client) => {
      const { chat, result } = await liveChat(client);
      chat.cancel();
      expect((await result).error?.code).toBe(status.CANCELLED);
      await cancelled;
    }));

  it('ends a call at its deadline and tells the server', () =>
    withClient(async (client) => {
      const err = await unaryError((callback) => client.hang(Buffer.alloc(0), new Metadata(), { deadline: new Date(Date.now() + 200) }, callback));
      expect(err.code).toBe(status.DEADLINE_EXCEEDED);
      await cancelled;
    }));

  it('refuses to send a message over the limit, as grpc-js does', () =>
    withClient(async (client) => {
      const err = await new Promise<ServiceError | null>((resolve) => client.echo(Buffer.alloc(MAX_MESSAGE_BYTES + 1), new Metadata(), {}, resolve));
      expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(err?.details).toMatch(/Sent message larger than max/);
    }));

  it('connects to host:port addresses too', async () => {
    const tcp = new Server();
    tcp.addService(service, echoOnly);
    const port = await bind(tcp, '127.0.0.1:0');
    try {
      await withClient(async (client) => {
        const reply = await unaryCall((callback) => client.echo(Buffer.from('tcp'), new Metadata(), {}, callback));
        expect(reply.toString()).toBe('tcp');
      }, `tcp://127.0.0.1:${port}`);
    } finally {
      tcp.forceShutdown();
    }
  });

  it('fails calls with UNAVAILABLE when nothing listens', () =>
    withClient(async (client) => {
      const err = await unaryError((callback) => client.echo(Buffer.from('x'), new Metadata(), {}, callback));
      expect(err.code).toBe(status.UNAVAILABLE);
      expect(err.metadata.get('berth-error-code')).toEqual([]);
    }, `unix://${join(scratch, 'nobody.sock')}`));

  it('fails a call under way with UNAVAILABLE when the server goes away, and connects again after', () =>
    withClient(async (client) => {
      const { result } = await liveChat(client);
      server.forceShutdown();
      expect((await result).error?.code).toBe(status.UNAVAILABLE);

      server = new Server();
      server.addService(service, echoOnly);
      await bind(server, address);
      const reply = await unaryCall((callback) => client.echo(Buffer.from('again'), new Metadata(), {}, callback));
      expect(reply.toString()).toBe('again');
    }));
});
