import { BerthError, errorMessageOf } from '@berth/errors';
import { ArgumentCountError, EXIT_ENGINE_ERROR, FlagError, StatusError } from './cli-errors';
import type { CliContext } from './context';
import type * as DaemonClientModule from './daemon-client';
import { describeError } from './daemon-errors';
import { resolveHost } from './host';
import { processIO, type CliIO } from './io';
import { buildProgram } from './program';

// Prints a failure the way docker does and returns the exit status.
export function reportFailure(err: unknown, io: CliIO): number {
  if (err instanceof StatusError) {
    if (err.message !== '') io.stderr.write(`${err.message}\n`);
    return err.status;
  }
  if (err instanceof FlagError) {
    io.stderr.write(`${err.message}\n\nUsage:  ${err.usage}\n\nRun '${err.commandPath} --help' for more information\n`);
    return EXIT_ENGINE_ERROR;
  }
  if (err instanceof ArgumentCountError) {
    io.stderr.write(`berth: ${err.message}\n\nUsage:  ${err.usage}\n\nSee '${err.commandPath} --help' for more information\n`);
    return 1;
  }
  io.stderr.write(`${err instanceof BerthError ? describeError(err) : `berth: ${errorMessageOf(err)}`}\n`);
  return 1;
}

// gRPC and the generated daemon client take tens of milliseconds to load: only commands that
// reach the daemon pay for them (--help, -v and system ... never do).
function daemonClientModule(): typeof DaemonClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./daemon-client') as typeof DaemonClientModule;
}

// Runs one CLI invocation (argv without node and script) and returns its exit status. Every
// connection it opened is closed before it returns.
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let client: DaemonClientModule.DaemonClient | undefined;
  const ctx: CliContext = {
    io,
    daemon: () => (client ??= new (daemonClientModule().DaemonClient)(resolveHost(program.opts<{ host?: string }>().host, io.env))),
  };
  const program = buildProgram(ctx, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    return reportFailure(err, io);
  } finally {
    client?.close();
  }
}
