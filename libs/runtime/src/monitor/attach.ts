import { createConnection, type Socket } from 'node:net';
import { failedPrecondition, internal, notFound, unavailable } from '@berth/errors';
import { type ExitRecord, parseExitRecord } from './exit-file';
import { ClientFrame, encodeFrame, encodeResize, FrameDecoder, MonitorFrame } from './frames';

// The exit frame carries the exit file's record; a monitor from before that change sent only the
// code (it may still be running after an upgrade).
export type AttachEvent = { kind: 'stdout' | 'stderr'; data: Buffer } | { kind: 'exit'; exitCode: number; record?: ExitRecord };

export interface AttachSession extends AsyncIterable<AttachEvent> {
  writeStdin(data: Buffer): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  close(): void;
}

// Stdin is sent in frames no bigger than this, so the monitor never holds much of it.
const STDIN_FRAME_BYTES = 32 * 1024;
// Output is read from the socket only while the consumer keeps up to within this many events;
// beyond, the socket is paused and the monitor (which never waits) drops us if we lag too far.
const HIGH_WATER_EVENTS = 64;

// Connects to a monitor's attach socket: live output from now on, then the exit code. Fails
// with NOT_FOUND when the socket is gone and FAILED_PRECONDITION when nothing listens on it
// (either way the container is no longer running).
export async function attachMonitor(socketPath: string): Promise<AttachSession> {
  const socket = await connect(socketPath);
  return new MonitorAttachSession(socket);
}

function connect(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      if (err.code === 'ENOENT') reject(notFound(`no attach socket at ${socketPath}: the container is not running`, err));
      else if (err.code === 'ECONNREFUSED') reject(failedPrecondition(`the monitor at ${socketPath} is gone: the container is not running`, err));
      else reject(internal(`attach ${socketPath}: ${err.message}`, err));
    });
  });
}

class MonitorAttachSession implements AttachSession {
  private readonly decoder = new FrameDecoder();
  private readonly queue: AttachEvent[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;
  private sawExit = false;
  private closedByUs = false;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.end(err));
    socket.on('close', () => this.end());
  }

  writeStdin(data: Buffer): void {
    for (let offset = 0; offset < data.length; offset += STDIN_FRAME_BYTES) {
      this.send(encodeFrame(ClientFrame.Stdin, data.subarray(offset, offset + STDIN_FRAME_BYTES)));
    }
  }

  closeStdin(): void {
    this.send(encodeFrame(ClientFrame.CloseStdin));
  }

  resize(rows: number, cols: number): void {
    this.send(encodeResize(rows, cols));
  }

  close(): void {
    this.closedByUs = true;
    this.socket.destroy();
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AttachEvent> {
    try {
      for (;;) {
        const event = this.queue.shift();
        if (event) {
          if (this.queue.length < HIGH_WATER_EVENTS / 2 && this.socket.isPaused()) this.socket.resume();
          yield event;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      this.close();
    }
  }

  private send(frame: Buffer): void {
    if (!this.ended && this.socket.writable) this.socket.write(frame);
  }

  private receive(chunk: Buffer): void {
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.socket.destroy();
      this.end(internal(`the monitor sent a bad frame: ${(err as Error).message}`, err));
      return;
    }
    for (const frame of frames) {
      if (frame.type === MonitorFrame.Stdout) this.queue.push({ kind: 'stdout', data: frame.payload });
      else if (frame.type === MonitorFrame.Stderr) this.queue.push({ kind: 'stderr', data: frame.payload });
      else if (frame.type === MonitorFrame.Exit) {
        this.sawExit = true;
        this.queue.push(exitEvent(frame.payload));
      }
    }
    if (this.queue.length >= HIGH_WATER_EVENTS) this.socket.pause();
    this.notify();
  }

  private end(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    // The monitor closes the connection right after the exit frame; ending without one means
    // it died, and the consumer must not mistake that for a clean exit.
    if (!this.sawExit && !this.closedByUs) {
      this.failure = err
        ? unavailable(`attach connection to the monitor failed: ${err.message}`, err)
        : unavailable('the monitor closed the attach connection without an exit status');
    }
    this.notify();
  }

  private notify(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

function exitEvent(payload: Buffer): AttachEvent {
  const text = payload.toString('ascii');
  if (!text.startsWith('{')) return { kind: 'exit', exitCode: Number.parseInt(text, 10) };
  const record = parseExitRecord(text, 'the exit frame');
  return { kind: 'exit', exitCode: record.exitCode, record };
}
