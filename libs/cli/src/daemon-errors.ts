import { BerthError, ErrorCode, errorMessageOf } from '@berth/errors';
import { EXIT_ENGINE_ERROR, EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, StatusError } from './cli-errors';
import { ConnectionError } from './connection-error';

// True for errors the daemon sent (they carry the gRPC error they came from).
export function isDaemonError(err: unknown): err is BerthError {
  if (!(err instanceof BerthError) || err instanceof ConnectionError) return false;
  const cause = err.cause as { code?: unknown; details?: unknown } | undefined;
  return typeof cause?.code === 'number' && cause.details !== undefined;
}

// "Error response from daemon: No such container: x", or the CLI's own message.
export function describeError(err: unknown): string {
  if (isDaemonError(err)) return `Error response from daemon: ${err.message}`;
  return errorMessageOf(err);
}

// docker run's exit status for a failure before or while starting the command.
export function engineExitCode(err: unknown): number {
  if (err instanceof BerthError) {
    if (err.code === ErrorCode.CommandNotFound) return EXIT_NOT_FOUND;
    if (err.code === ErrorCode.CommandNotExecutable) return EXIT_NOT_EXECUTABLE;
  }
  return EXIT_ENGINE_ERROR;
}

// run and create report every failure the way docker run does:
//   berth: Error response from daemon: <msg>
//
//   Run 'berth run --help' for more information
export function engineFailure(err: unknown, commandPath: string): StatusError {
  if (err instanceof StatusError) return err;
  return new StatusError(engineExitCode(err), `berth: ${describeError(err)}\n\nRun '${commandPath} --help' for more information`);
}
