import { types } from '@berth/proto';
import { exitStatusOf } from './container-state';
import type { MonitorSession } from './monitor-port';

const { OutputStream } = types;

export type FrameSink = (frame: types.StdioServerFrame) => void;

export interface StdioWants {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export function outputFrame(stream: 'stdout' | 'stderr', data: Buffer, time = new Date().toISOString()): types.StdioServerFrame {
  const value: types.LogEntry = { stream: stream === 'stdout' ? OutputStream.OUTPUT_STREAM_STDOUT : OutputStream.OUTPUT_STREAM_STDERR, data, time };
  return { frame: { $case: 'output', value } };
}

export const readyFrame: types.StdioServerFrame = { frame: { $case: 'ready', value: true } };

export function exitFrame(exit: types.ExitStatus): types.StdioServerFrame {
  return { frame: { $case: 'exit', value: exit } };
}

// Forwards the client's frames (stdin, resize, end of stdin) to a monitor session. Ends when the
// client stops sending; the session may already be closed by then, which is fine.
export async function forwardInput(input: AsyncIterator<types.StdioClientFrame>, session: MonitorSession, wants: StdioWants): Promise<void> {
  for (;;) {
    const next = await input.next();
    if (next.done) return;
    const frame = next.value.frame;
    if (frame?.$case === 'stdin' && wants.stdin) session.writeStdin(frame.value);
    else if (frame?.$case === 'resize') session.resize(frame.value.rows, frame.value.cols);
    else if (frame?.$case === 'closeStdin' && frame.value && wants.stdin) session.closeStdin();
  }
}

// Streams one attached process: `ready`, its output, then its exit (the monitor's record, or from
// `exitStatus` when an older monitor sent only the code). A cancelled client closes the session
// and gets no exit frame.
export async function bridgeStdio(opts: {
  session: MonitorSession;
  input: AsyncIterator<types.StdioClientFrame>;
  write: FrameSink;
  wants: StdioWants;
  exitStatus: () => Promise<types.ExitStatus>;
  // Awaited before the exit frame goes out; a failure ends the bridge with it instead.
  beforeExit?: () => Promise<unknown>;
  signal: AbortSignal;
}): Promise<void> {
  const { session, write, wants, signal } = opts;
  const onAbort = (): void => session.close();
  signal.addEventListener('abort', onAbort, { once: true });
  forwardInput(opts.input, session, wants).catch(() => undefined);
  try {
    write(readyFrame);
    let exit: types.ExitStatus | undefined;
    for await (const event of session) {
      if (event.kind === 'exit') {
        if (event.record) exit = exitStatusOf(event.record);
        break;
      }
      if ((event.kind === 'stdout' && wants.stdout) || (event.kind === 'stderr' && wants.stderr)) write(outputFrame(event.kind, event.data));
    }
    const status = exit ?? (await opts.exitStatus());
    await opts.beforeExit?.();
    if (!signal.aborted) write(exitFrame(status));
  } finally {
    signal.removeEventListener('abort', onAbort);
    session.close();
  }
}
