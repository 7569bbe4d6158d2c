import { invalidArgument } from '@berth/errors';
import { ChangeNotifier } from './change-notifier';
import { isRfc3339, timeToNanos, type LogRecord } from './cri-log';
import { LogCursor } from './log-cursor';

export interface ReadLogOptions {
  follow: boolean;
  // How many of the last records to show; -1 for all.
  tail: number;
  // RFC 3339 bounds, both inclusive.
  since?: string;
  until?: string;
  signal?: AbortSignal;
  // Following ends once this says the container exited and the log has been read to its end.
  stopWhen?: () => Promise<boolean>;
}

// How often a follower looks again when no change notification came.
const FOLLOW_POLL_MS = 250;

// Reads a container log as records (partial lines joined). since and until apply first, tail
// then keeps the last of what is left; with follow, new records are yielded as they are written.
// Aborting the signal ends the iteration quietly.
export async function* readLog(path: string, opts: ReadLogOptions): AsyncGenerator<LogRecord> {
  const window = timeWindow(opts.since, opts.until);
  const cursor = new LogCursor(path);
  const notifier = opts.follow ? new ChangeNotifier(path) : undefined;
  const tail = new TailBuffer(opts.tail);
  try {
    // What is there already: filtered, then cut to the tail.
    for (;;) {
      if (opts.signal?.aborted) return;
      const { records, eof } = await cursor.read();
      for (const record of records) {
        if (window.after(record)) return yield* tail.drain();
        if (window.contains(record)) {
          const out = tail.push(record);
          if (out) yield out;
        }
      }
      if (eof) break;
    }
    if (!notifier) {
      for (const record of cursor.flush()) {
        const out = window.contains(record) ? tail.push(record) : undefined;
        if (out) yield out;
      }
      return yield* tail.drain();
    }
    yield* tail.drain();

    // Then whatever comes, until the container is gone and its log read to the end.
    let stopping = false;
    for (;;) {
      if (opts.signal?.aborted) return;
      const { records, eof } = await cursor.read();
      for (const record of records) {
        if (window.after(record)) return;
        if (window.contains(record)) yield record;
      }
      if (!eof) continue;
      if (stopping) {
        for (const record of cursor.flush()) if (window.contains(record)) yield record;
        return;
      }
      // The monitor writes the exit file only after the last output is in the log, so once
      // stopWhen agrees, one more pass to the end reads everything.
      if (opts.stopWhen && (await opts.stopWhen())) {
        stopping = true;
        continue;
      }
      await notifier.wait(FOLLOW_POLL_MS, opts.signal);
    }
  } finally {
    notifier?.close();
    await cursor.close();
  }
}

interface TimeWindow {
  contains(record: LogRecord): boolean;
  after(record: LogRecord): boolean;
}

function timeWindow(since: string | undefined, until: string | undefined): TimeWindow {
  for (const [name, value] of [['since', since], ['until', until]] as const) {
    if (value !== undefined && !isRfc3339(value)) throw invalidArgument(`${name}: not an RFC 3339 time: ${value}`);
  }
  const from = since === undefined ? undefined : timeToNanos(since);
  const to = until === undefined ? undefined : timeToNanos(until);
  const nanos = (record: LogRecord): bigint | undefined => {
    try {
      return timeToNanos(record.time);
    } catch {
      return undefined; // a damaged time never hides a record
    }
  };
  return {
    contains(record) {
      const t = nanos(record);
      return t === undefined || ((from === undefined || t >= from) && (to === undefined || t <= to));
    },
    after(record) {
      const t = nanos(record);
      return t !== undefined && to !== undefined && t > to;
    },
  };
}

// Holds back the last n records (n = -1: holds nothing back, passes every record through).
class TailBuffer {
  private readonly kept: LogRecord[] = [];

  constructor(private readonly n: number) {}

  push(record: LogRecord): LogRecord | undefined {
    if (this.n < 0) return record;
    if (this.n === 0) return undefined;
    this.kept.push(record);
    if (this.kept.length > this.n) this.kept.shift();
    return undefined;
  }

  *drain(): Generator<LogRecord> {
    while (this.kept.length > 0) yield this.kept.shift()!;
  }
}
