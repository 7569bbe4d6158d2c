// Failures the CLI reports itself, each with docker's exit status.

// docker exits 125 when the CLI or the engine fails before the container's command ran.
export const EXIT_ENGINE_ERROR = 125;
export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;

// A bad flag or flag value: docker prints the message, the usage line and a hint, exit 125.
export class FlagError extends Error {
  constructor(
    message: string,
    readonly commandPath: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'FlagError';
  }
}

// Wrong number of arguments: "berth: 'berth rm' requires at least 1 argument", exit 1.
export class ArgumentCountError extends Error {
  constructor(
    message: string,
    readonly commandPath: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'ArgumentCountError';
  }
}

// Stop with this status, after printing the message (when there is one) to stderr.
export class StatusError extends Error {
  constructor(
    readonly status: number,
    message = '',
  ) {
    super(message);
    this.name = 'StatusError';
  }
}
