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

// The streams are made on first use: process.stdin alone costs a start some milliseconds
// (stream modules loaded, the descriptor probed), and most commands never read it.
export function processIO(): CliIO {
  return {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    env: process.env,
    signals: process,
    now: () => Date.now(),
  };
}
