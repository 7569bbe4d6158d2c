import { BerthError, ErrorCode, invalidArgument } from '@berth/errors';
import { ConnectionError } from './connection-error';
import { describeError, engineExitCode, engineFailure, isDaemonError } from './daemon-errors';

const fromDaemon = (code: ErrorCode, message: string): BerthError =>
  new BerthError(code, message, { cause: Object.assign(new Error(message), { code: 9, details: message }) });

describe('exit codes and messages of engine failures', () => {
  it('maps command failures to 127 and 126, everything else to 125', () => {
    expect(engineExitCode(fromDaemon(ErrorCode.CommandNotFound, 'x'))).toBe(127);
    expect(engineExitCode(fromDaemon(ErrorCode.CommandNotExecutable, 'x'))).toBe(126);
    expect(engineExitCode(fromDaemon(ErrorCode.NotFound, 'x'))).toBe(125);
    expect(engineExitCode(new Error('x'))).toBe(125);
  });

  it('prefixes daemon errors only', () => {
    expect(isDaemonError(fromDaemon(ErrorCode.NotFound, 'No such container: x'))).toBe(true);
    expect(describeError(fromDaemon(ErrorCode.NotFound, 'No such container: x'))).toBe('Error response from daemon: No such container: x');
    expect(describeError(invalidArgument('bad value'))).toBe('bad value');
    expect(describeError(new ConnectionError('unix:///x.sock'))).toBe('Cannot connect to the Berth daemon at unix:///x.sock: is the daemon running?');
  });

  it("formats run's failures like docker run", () => {
    const failure = engineFailure(fromDaemon(ErrorCode.NotFound, 'No such image: x'), 'berth run');
    expect(failure.status).toBe(125);
    expect(failure.message).toBe("berth: Error response from daemon: No such image: x\n\nRun 'berth run --help' for more information");
  });
});
