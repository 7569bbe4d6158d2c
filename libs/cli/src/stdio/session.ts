import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { types } from '@berth/proto';
import { StatusError } from '../cli-errors';
import type { CliIO } from '../io';
import { DetachDetector } from './detach-detector';

export type SessionEnd = { kind: 'exit'; exitCode: number } | { kind: 'detached' } | { kind: 'ended' };

type StdioFrame = NonNullable<types.StdioClientFrame['frame']>;

// `wrap` for attach and exec streams.
export const plainFrame = (frame: StdioFrame): types.StdioClientFrame => ({ frame });

export interface SessionOptions<Out> {
  // Attach and exec streams take StdioClientFrames; RunContainer wraps them (see `wrap`).
  stream: ClientDuplexStream<Out, types.StdioServerFrame>;
  open: Out;
  wrap: (frame: StdioFrame) => Out;
  io: CliIO;
  stdin: boolean;
  tty: boolean;
  detachKeys: readonly number[];
  // Runs once the daemon says the stream is live (start -a: start the container now).
  onReady?: () => Promise<void>;
  // RunContainer's first frame: the container the daemon made for this stream.
  onCreated?: (created: types.ContainerCreated) => void;
  // Without a tty, signals to the CLI go to the container (docker's --sig-proxy).
  forwardSignal?: (signal: NodeJS.Signals) => Promise<void>;
  // Turns stream errors into BerthErrors.
  translate: (err: unknown) => unknown;
}

const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

function terminalSize(io: CliIO): types.TerminalSize | undefined {
  const { rows, columns } = io.stdout;
  return io.stdout.isTTY && rows !== undefined && columns !== undefined ? { rows, cols: columns } : undefined;
}

// Drives one attach or exec stream: output to stdout/stderr, stdin (raw when a tty) to the
// stream, resizes, detach keys and signal forwarding. Every handle it takes is released when
// it settles, the terminal mode included.
export function runSession<Out>(options: SessionOptions<Out>): Promise<SessionEnd> {
  const { stream, io } = options;
  const cleanups: Array<() => void> = [];
  let settled = false;

  return new Promise<SessionEnd>((resolve, reject) => {
    const finish = (outcome: { end: SessionEnd } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups.reverse()) cleanup();
      // After the exit the daemon ends the call itself; the cancel that makes sure of it waits a
      // turn, so as not to hold up the exit (a reset to send, a CANCELLED status to raise and
      // drop: milliseconds, which the CLI, exiting at once, never spends). Any other end
      // (detached, failed) ends the call here.
      if ('end' in outcome && outcome.end.kind === 'exit') setImmediate(() => stream.cancel());
      else stream.cancel();
      if ('end' in outcome) resolve(outcome.end);
      else reject(outcome.error);
    };

    const send = (frame: StdioFrame): void => {
      if (!settled) stream.write(options.wrap(frame));
    };

    const sendSize = (): void => {
      const size = terminalSize(io);
      if (options.tty && size !== undefined) send({ $case: 'resize', value: size });
    };

    const startInput = (): void => {
      if (options.tty && io.stdout.isTTY) {
        const onResize = (): void => sendSize();
        io.stdout.on('resize', onResize);
        cleanups.push(() => io.stdout.off('resize', onResize));
        sendSize();
      }
      if (!options.tty && options.forwardSignal !== undefined) {
        const forward = options.forwardSignal;
        for (const signal of PROXIED_SIGNALS) {
          const handler = (): void => void forward(signal).catch(() => undefined);
          io.signals.on(signal, handler);
          cleanups.push(() => io.signals.off(signal, handler));
        }
      }
      if (!options.stdin) return;
      const raw = options.tty && io.stdin.isTTY === true && io.stdin.setRawMode !== undefined;
      if (raw) {
        io.stdin.setRawMode?.(true);
        const restore = (): void => void io.stdin.setRawMode?.(false);
        process.once('exit', restore);
        // The terminal must come back cooked even when the CLI itself is told to stop.
        const onTerminate = (): void => finish({ error: new StatusError(143, '') });
        const onHangup = (): void => finish({ error: new StatusError(129, '') });
        io.signals.on('SIGTERM', onTerminate);
        io.signals.on('SIGHUP', onHangup);
        cleanups.push(() => {
          restore();
          process.off('exit', restore);
          io.signals.off('SIGTERM', onTerminate);
          io.signals.off('SIGHUP', onHangup);
        });
      }
      const detector = new DetachDetector(options.tty ? options.detachKeys : []);
      const onData = (chunk: Buffer | string): void => {
        const { forward, detach } = detector.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        if (forward.length > 0) send({ $case: 'stdin', value: forward });
        if (detach) finish({ end: { kind: 'detached' } });
      };
      const onEnd = (): void => send({ $case: 'closeStdin', value: true });
      io.stdin.on('data', onData);
      io.stdin.once('end', onEnd);
      cleanups.push(() => {
        io.stdin.off('data', onData);
        io.stdin.off('end', onEnd);
        io.stdin.pause();
      });
      io.stdin.resume();
    };

    const write = (entry: types.LogEntry): void => {
      const target = entry.stream === 2 && !options.tty ? io.stderr : io.stdout;
      if (!target.write(entry.data)) {
        stream.pause();
        target.once('drain', () => stream.resume());
      }
    };

    stream.on('data', (message: types.StdioServerFrame) => {
      const frame = message.frame;
      if (frame === undefined || settled) return;
      switch (frame.$case) {
        case 'ready':
          if (options.onReady === undefined) {
            startInput();
            break;
          }
          options.onReady().then(
            () => {
              if (settled) return;
              startInput();
              sendSize();
            },
            (err: unknown) => finish({ error: err }),
          );
          break;
        case 'output':
          write(frame.value);
          break;
        case 'exit':
          finish({ end: { kind: 'exit', exitCode: frame.value.exitCode } });
          break;
        case 'created':
          options.onCreated?.(frame.value);
          break;
      }
    });
    stream.on('error', (err: unknown) => finish({ error: options.translate(err) }));
    stream.on('end', () => finish({ end: { kind: 'ended' } }));
    stream.write(options.open);
  });
}
