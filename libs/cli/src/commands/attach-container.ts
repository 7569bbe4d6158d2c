import { StatusError } from '../cli-errors';
import type { CliContext } from '../context';
import { plainFrame, runSession } from '../stdio/session';

export interface AttachChoice {
  id: string;
  stdin: boolean;
  tty: boolean;
  detachKeys: readonly number[];
  sigProxy: boolean;
  // docker start -a: start once the stream is live.
  start?: boolean;
}

// Attaches to a container until it exits (exit with its status) or the user detaches.
export async function attachContainer(ctx: CliContext, choice: AttachChoice): Promise<void> {
  const daemon = ctx.daemon();
  const { id } = choice;
  const end = await runSession({
    stream: daemon.attach(),
    open: { frame: { $case: 'attach', value: { id, stdin: choice.stdin, stdout: true, stderr: true, logs: false, prepareStart: choice.start === true, afterCreate: false } } },
    wrap: plainFrame,
    io: ctx.io,
    stdin: choice.stdin,
    tty: choice.tty,
    detachKeys: choice.detachKeys,
    onReady: choice.start === true ? () => daemon.call('startContainer', { id }).then(() => undefined) : undefined,
    forwardSignal: choice.sigProxy ? (signal) => daemon.call('killContainer', { id, signal }).then(() => undefined) : undefined,
    translate: (err) => daemon.translate(err),
  });
  if (end.kind === 'detached') return;
  const exitCode = end.kind === 'exit' ? end.exitCode : (await daemon.call('waitContainer', { id }, 0)).exitCode;
  if (exitCode !== 0) throw new StatusError(exitCode);
}
