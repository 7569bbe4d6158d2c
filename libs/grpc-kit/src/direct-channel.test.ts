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
  await new Promise<void>((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
});

afterEach(() => {
  server.forceShutdown();
  rmSync(scratch, { recursive: true, force: true });
});

describe('DirectChannel', () => {
  it('makes unary calls with metadata both ways, several over one connection', async () => {
    const client = connectDirect(TestClientCtor, address);
    try {
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
    } finally {
      client.close();
    }
  });

  it('reports the server\'s error status with its details and trailing metadata', async () => {
    const client = connectDirect(TestClientCtor, address);
    try {
      const err = (await unaryCall((callback) => client.fail(Buffer.alloc(0), callback)).catch((e: unknown) => e)) as ServiceError;
      expect(err.code).toBe(status.NOT_FOUND);
      expect(err.details).toBe('no such thing: 100% gone');
      expect(err.metadata.get('berth-error-code')).toEqual(['not_found']);
    } finally {
      client.close();
    }
  });

  it('reads a long server stream whole and in order, beyond the flow-control windows', async () => {
    const client = connectDirect(TestClientCtor, address);
    try {
      const count = Buffer.alloc(4);
      count.writeUInt32BE(200);
      const { messages, error } = await collect(client.many(count));
      expect(error).toBeUndefined();
      expect(messages).toHaveLength(200);
      expect(messages.every((message, i) => message.length === CHUNK && message[0] === i % 256 && message[CHUNK - 1] === i % 256)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('carries a bidirectional stream to its end after the client half-closes', async () => {
    const client = connectDirect(TestClientCtor, address);
    try {
      const chat = client.chat();
      const result = collect(chat);
      for (const word of ['a', 'b', 'c']) chat.write(Buffer.from(word));
      chat.end();
      const { messages, error } = await result;
      expect(error).toBeUndefined();
      expect(messages.map(String)).toEqual(['re:a', 're:b', 're:c']);
    } finally {
      client.close();
    }
  });

  it('takes writes after the server ended the call without failing them (the status says it all)', async () => {
    const client = connectDirect(TestClientCtor, address);
    try {
      const call = client.refuse();
      const result = collect(call);
      call.write(Buffer.from('first'));
      expect((await result).error?.code).toBe(status.PERMISSION_DENIED);
      await new Promise<void>((resolve) => call.write(Buffer.from('late'), () => resolve()));
      call.end();
    } finally {
      client.close();
    }
  });

  it('cancels a stream: the client sees CANCELLED and the server hears of it', async () => {
    const client = connectDirect(TestClientCtor, address);
    try {
      const chat = client.chat();
      const result = collect(chat);
      chat.write(Buffer.from('x'));
      await new Promise<void>((resolve) => chat.once('data', () => resolve()));
      chat.cancel();
      expect((await result).error?.code).toBe(status.CANCELLED);
      await cancelled;
    } finally {
      client.close();
    }
  });

  it('ends a call at its deadline and tells the server', async () => {
    const client = connectDirect(TestClientCtor, address);
    try {
      const err = (await unaryCall((callback) => client.hang(Buffer.alloc(0), new Metadata(), { deadline: new Date(Date.now() + 200) }, callback)).catch((e: unknown) => e)) as ServiceError;
      expect(err.code).toBe(status.DEADLINE_EXCEEDED);
      await cancelled;
    } finally {
      client.close();
    }
  });

  it('connects to host:port addresses too', async () => {
    const tcp = new Server();
    tcp.addService(service, { echo: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, call.request) });
    const port = await new Promise<number>((resolve, reject) => tcp.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))));
    const client = connectDirect(TestClientCtor, `tcp://127.0.0.1:${port}`);
    try {
      const reply = await unaryCall((callback) => client.echo(Buffer.from('tcp'), new Metadata(), {}, callback));
      expect(reply.toString()).toBe('tcp');
    } finally {
      client.close();
      tcp.forceShutdown();
    }
  });

  it('fails calls with UNAVAILABLE when nothing listens', async () => {
    const client = connectDirect(TestClientCtor, `unix://${join(scratch, 'nobody.sock')}`);
    try {
      const err = (await unaryCall((callback) => client.echo(Buffer.from('x'), new Metadata(), {}, callback)).catch((e: unknown) => e)) as ServiceError;
      expect(err.code).toBe(status.UNAVAILABLE);
      expect(err.metadata.get('berth-error-code')).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('fails a call under way with UNAVAILABLE when the server goes away, and connects again after', async () => {
    const client = connectDirect(TestClientCtor, address);
    try {
      const chat = client.chat();
      const result = collect(chat);
      chat.write(Buffer.from('x'));
      await new Promise<void>((resolve) => chat.once('data', () => resolve()));
      server.forceShutdown();
      expect((await result).error?.code).toBe(status.UNAVAILABLE);

      server = new Server();
      server.addService(service, { echo: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, call.request) });
      await new Promise<void>((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
      const reply = await unaryCall((callback) => client.echo(Buffer.from('again'), new Metadata(), {}, callback));
      expect(reply.toString()).toBe('again');
    } finally {
      client.close();
    }
  });
});
