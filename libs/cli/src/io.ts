import type { Readable, Writable } from 'node:stream';

// What a command may touch of its process: injected so that tests run the CLI in-process.
export interface CliInput extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliOutput extends Writable {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface CliIO {
  stdin: CliInput;
  stdout: CliOutput;
  stderr: CliOutput;
  env: Readonly<Record<string, string | undefined>>;
  signals: SignalSource;
  now(): number;
}

export function processIO(): CliIO {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signals: process,
    now: () => Date.now(),
  };
}
