import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@berth/errors';
import { attachMonitor, type AttachEvent } from './attach';
import { encodeFrame, FrameDecoder, MonitorFrame } from './frames';

describe('attachMonitor', () => {
  let dir: string;
  let server: Server | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-attach-'));
  });
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  // A stand-in monitor: hands each connection to onClient.
  const fakeMonitor = async (onClient: (socket: Socket) => void): Promise<string> => {
    const path = join(dir, 'attach.sock');
    server = createServer(onClient);
    await new Promise<void>((r) => server!.listen(path, r));
    return path;
  };

  const drain = async (iterable: AsyncIterable<AttachEvent>): Promise<AttachEvent[]> => {
    const events: AttachEvent[] = [];
    for await (const e of iterable) events.push(e);
    return events;
  };

  it('yields output then the exit code, and sends stdin, close and resize frames', async () => {
    const received: Array<[number, string]> = [];
    const path = await fakeMonitor((socket) => {
      const decoder = new FrameDecoder();
      socket.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          received.push([f.type, f.payload.toString('hex')]);
          if (f.type === 2) {
            socket.write(Buffer.concat([encodeFrame(MonitorFrame.Stdout, Buffer.from('out')), encodeFrame(MonitorFrame.Stderr, Buffer.from('err'))]));
            socket.end(encodeFrame(MonitorFrame.Exit, Buffer.from('42')));
          }
        }
      });
    });
    const session = await attachMonitor(path);
    session.writeStdin(Buffer.from('hi'));
    session.resize(24, 80);
    session.closeStdin();
    const events = await drain(session);
    expect(events).toEqual([
      { kind: 'stdout', data: Buffer.from('out') },
      { kind: 'stderr', data: Buffer.from('err') },
      { kind: 'exit', exitCode: 42 },
    ]);
    expect(received).toEqual([
      [1, Buffer.from('hi').toString('hex')],
      [3, '00180050'],
      [2, ''],
    ]);
  });

  it('takes the whole exit record from an exit frame that carries it', async () => {
    const line = '{"exit_code":137,"oom_killed":true,"finished_at":"2026-01-02T03:04:05.123456789Z","signal":9}\n';
    const path = await fakeMonitor((socket) => socket.end(encodeFrame(MonitorFrame.Exit, Buffer.from(line))));
    const session = await attachMonitor(path);
    expect(await drain(session)).toEqual([
      { kind: 'exit', exitCode: 137, record: { exitCode: 137, oomKilled: true, finishedAt: '2026-01-02T03:04:05.123456789Z', signal: 9 } },
    ]);
  });

  it('fails with UNAVAILABLE when the monitor goes away without an exit frame', async () => {
    const path = await fakeMonitor((socket) => socket.end(encodeFrame(MonitorFrame.Stdout, Buffer.from('partial'))));
    const session = await attachMonitor(path);
    await expect(drain(session)).rejects.toMatchObject({ code: ErrorCode.Unavailable });
  });

  it('ends quietly when the caller closes it', async () => {
    const path = await fakeMonitor(() => undefined);
    const session = await attachMonitor(path);
    setTimeout(() => session.close(), 20);
    expect(await drain(session)).toEqual([]);
  });

  it('says NOT_FOUND without a socket and FAILED_PRECONDITION when nothing listens', async () => {
    await expect(attachMonitor(join(dir, 'missing.sock'))).rejects.toMatchObject({ code: ErrorCode.NotFound });
    // What a killed monitor leaves: a path nothing listens on (connect says ECONNREFUSED).
    const stale = join(dir, 'stale.sock');
    writeFileSync(stale, '');
    await expect(attachMonitor(stale)).rejects.toMatchObject({ code: ErrorCode.FailedPrecondition });
  });
});
