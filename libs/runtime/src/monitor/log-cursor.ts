import { open, type FileHandle } from 'node:fs/promises';
import { LineAssembler, LineSplitter, parseCriLine, type LogRecord } from './cri-log';

const CHUNK_BYTES = 256 * 1024;

// Reads a container log from the start, a chunk at a time, as it grows.
export class LogCursor {
  private handle: FileHandle | undefined;
  private position = 0;
  private readonly chunk = Buffer.alloc(CHUNK_BYTES);
  private readonly splitter = new LineSplitter();
  private readonly assembler = new LineAssembler();

  constructor(private readonly path: string) {}

  // The records completed by the next chunk; eof when nothing new was there (yet).
  async read(): Promise<{ records: LogRecord[]; eof: boolean }> {
    const handle = await this.openHandle();
    if (!handle) return { records: [], eof: true };
    const { bytesRead } = await handle.read(this.chunk, 0, CHUNK_BYTES, this.position);
    if (bytesRead === 0) return { records: [], eof: true };
    this.position += bytesRead;
    const records: LogRecord[] = [];
    for (const line of this.splitter.push(this.chunk.subarray(0, bytesRead))) {
      const parsed = parseCriLine(line);
      const record = parsed && this.assembler.push(parsed);
      if (record) records.push(record);
    }
    return { records, eof: false };
  }

  // Lines still unterminated, once the log will not grow any more.
  flush(): LogRecord[] {
    return this.assembler.flush();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async openHandle(): Promise<FileHandle | undefined> {
    if (this.handle) return this.handle;
    try {
      this.handle = await open(this.path, 'r');
    } catch (err) {
      // The monitor creates the log when it starts; until then there is simply nothing to read.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return this.handle;
  }
}
