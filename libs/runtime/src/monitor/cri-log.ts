// The container log the monitor writes, in the CRI format, one record per line:
//   <RFC3339Nano UTC> <stdout|stderr> <F|P> <content>
// F is the end of a line (its newline not written), P a piece of a line continued by the next
// record of the same stream.

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  stream: LogStream;
  // A whole line including its trailing \n, or the unterminated tail of the output.
  data: Buffer;
  time: string;
}

export interface CriLine {
  time: string;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;

// Parses one line without its newline; undefined for anything that is not a record.
export function parseCriLine(line: Buffer): CriLine | undefined {
  const afterTime = line.indexOf(SPACE);
  if (afterTime <= 0) return undefined;
  const afterStream = line.indexOf(SPACE, afterTime + 1);
  if (afterStream < 0) return undefined;
  const stream = line.toString('latin1', afterTime + 1, afterStream);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line[afterStream + 1];
  const tagEnd = afterStream + 2;
  if ((tag !== 0x46 && tag !== 0x50) || (line.length > tagEnd && line[tagEnd] !== SPACE)) return undefined;
  return {
    time: line.toString('latin1', 0, afterTime),
    stream,
    partial: tag === 0x50,
    content: line.subarray(Math.min(tagEnd + 1, line.length)),
  };
}

// A line that never ends (output without newlines) is handed out in pieces this big rather
// than held in memory whole.
export const MAX_ASSEMBLED_LINE = 1024 * 1024;

// Joins partial records back into lines, per stream. A joined line carries the time of its last
// piece, as the kubelet does.
export class LineAssembler {
  private readonly pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly pendingBytes: Record<LogStream, number> = { stdout: 0, stderr: 0 };
  private readonly pendingTime: Record<LogStream, string> = { stdout: '', stderr: '' };

  push(line: CriLine): LogRecord | undefined {
    const { stream } = line;
    // Pieces are kept past the read that produced them: copy them out of the caller's buffer.
    this.pending[stream].push(line.partial ? Buffer.from(line.content) : line.content);
    this.pendingBytes[stream] += line.content.length;
    this.pendingTime[stream] = line.time;
    if (!line.partial) {
      this.pending[stream].push(Buffer.from('\n'));
      return this.take(stream);
    }
    return this.pendingBytes[stream] >= MAX_ASSEMBLED_LINE ? this.take(stream) : undefined;
  }

  // The unterminated tails, once no more records will come.
  flush(): LogRecord[] {
    const tails: LogRecord[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream].length > 0) tails.push(this.take(stream));
    }
    return tails.sort((a, b) => compareTimes(a.time, b.time));
  }

  private take(stream: LogStream): LogRecord {
    const record = { stream, data: Buffer.concat(this.pending[stream]), time: this.pendingTime[stream] };
    this.pending[stream] = [];
    this.pendingBytes[stream] = 0;
    return record;
  }
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

// Nanoseconds since the epoch, exact (a Date keeps only milliseconds).
export function timeToNanos(time: string): bigint {
  const match = RFC3339.exec(time);
  if (!match) throw new Error(`not an RFC 3339 time: ${time}`);
  const [, seconds, fraction = '', zone] = match;
  const millis = Date.parse(`${seconds}${zone}`);
  if (Number.isNaN(millis)) throw new Error(`not an RFC 3339 time: ${time}`);
  return BigInt(millis) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

export function isRfc3339(time: string): boolean {
  return RFC3339.test(time) && !Number.isNaN(Date.parse(time.replace(/\.\d+/, '')));
}

export function compareTimes(a: string, b: string): number {
  const diff = timeToNanos(a) - timeToNanos(b);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

// Splits a growing byte stream into lines, keeping an unfinished last line until it completes.
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
      lines.push(data.subarray(start, nl));
      start = nl + 1;
    }
    this.rest = Buffer.from(data.subarray(start));
    return lines;
  }
}
