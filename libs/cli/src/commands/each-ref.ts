import { StatusError } from '../cli-errors';
import { ConnectionError } from '../connection-error';
import type { CliContext } from '../context';
import { describeError } from '../daemon-errors';

// docker's pattern for commands over several containers or images (stop, rm, kill, rmi, ...): act on each in
// turn, print what `act` returns on success, report each failure, and exit 1 if any failed.
export async function forEachRef(
  ctx: CliContext,
  refs: readonly string[],
  act: (ref: string) => Promise<string | undefined>,
): Promise<void> {
  let failed = false;
  for (const ref of refs) {
    try {
      const line = await act(ref);
      if (line !== undefined) ctx.io.stdout.write(`${line}\n`);
    } catch (err) {
      if (err instanceof ConnectionError) throw new StatusError(1, err.message);
      failed = true;
      ctx.io.stderr.write(`${describeError(err)}\n`);
    }
  }
  if (failed) throw new StatusError(1);
}
