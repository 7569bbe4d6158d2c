import { BerthError, ErrorCode } from '@berth/errors';

// runc wraps the reason a command cannot run in layers of context ("runc create failed: unable
// to start container process: exec: ..."); users need only the part about their command, as
// docker shows it.
const COMMAND_ERROR = /exec: "[^"]*": .*/;
const RUNTIME_PREFIXES = [/^runc (?:create|exec|run|start) failed: /, /^unable to start container process: /];

export function cleanRuntimeMessage(message: string): string {
  const command = COMMAND_ERROR.exec(message);
  if (command) return command[0];
  let cleaned = message.trim();
  for (const prefix of RUNTIME_PREFIXES) cleaned = cleaned.replace(prefix, '');
  return cleaned;
}

// The error for a runtime that could not start the process: a missing command is docker's
// exit 127, one that cannot be executed 126, anything else ours.
export function launchError(runtimeMessage: string): BerthError {
  const message = cleanRuntimeMessage(runtimeMessage);
  const aboutCommand = COMMAND_ERROR.test(runtimeMessage);
  if (aboutCommand && /executable file not found|no such file or directory/i.test(message)) {
    return new BerthError(ErrorCode.CommandNotFound, message);
  }
  if (aboutCommand && /permission denied|exec format error|is a directory/i.test(message)) {
    return new BerthError(ErrorCode.CommandNotExecutable, message);
  }
  return new BerthError(ErrorCode.Internal, message || 'the runtime failed without a message');
}
