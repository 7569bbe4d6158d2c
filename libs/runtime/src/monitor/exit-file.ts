import { dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { BerthError, ErrorCode, internal } from '@berth/errors';
import { ChangeNotifier } from './change-notifier';

// What the monitor records when the container's process exits.
export interface ExitRecord {
  exitCode: number;
  oomKilled: boolean;
  finishedAt: string;
  signal: number;
}

// The exit file, or undefined while the process runs. The monitor writes it atomically, so a
// file that is there is complete.
export async function readExitFile(path: string): Promise<ExitRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseExitRecord(text, path);
}

export function parseExitRecord(text: string, path = 'exit file'): ExitRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw internal(`${path}: not JSON: ${text.slice(0, 200)}`, err);
  }
  const record = raw as Record<string, unknown>;
  const { exit_code: exitCode, oom_killed: oomKilled, finished_at: finishedAt, signal } = record ?? {};
  if (typeof exitCode !== 'number' || typeof oomKilled !== 'boolean' || typeof finishedAt !== 'string' || typeof signal !== 'number') {
    throw internal(`${path}: not an exit record: ${text.slice(0, 200)}`);
  }
  return { exitCode, oomKilled, finishedAt, signal };
}

// A safety net for a missed change notification.
const EXIT_POLL_MS = 1000;

// Resolves once the exit file exists. Rejects with CANCELED when signal aborts.
export async function waitForExitFile(path: string, signal?: AbortSignal): Promise<ExitRecord> {
  const notifier = new ChangeNotifier(dirname(path));
  try {
    for (;;) {
      if (signal?.aborted) throw new BerthError(ErrorCode.Canceled, `stopped waiting for ${path}`);
      const record = await readExitFile(path);
      if (record) return record;
      await notifier.wait(EXIT_POLL_MS, signal);
    }
  } finally {
    notifier.close();
  }
}
