import { type Writable } from 'node:stream';
import { BerthError, ErrorCode } from '@berth/errors';
import { type ObjectHandle } from '../storage/driver';

const CHUNK = 1 << 20;
// Idle buffers kept for the next request; a busy Hub allocates only beyond this.
const POOL_LIMIT = 16;
const idle: Buffer[] = [];

const takeBuffer = (): Buffer => idle.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
const giveBuffer = (buffer: Buffer): void => {
  if (idle.length < POOL_LIMIT) idle.push(buffer);
};

function write(dest: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    dest.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

/*
 * Writes bytes [start, end] of an object to `dest` through two reused buffers: the next chunk is
 * read while the last one is being written, and a buffer goes back to be read into only once its
 * write has completed. Ends `dest` when done; closes nothing it did not open.
 */
export async function sendObject(object: ObjectHandle, dest: Writable, start: number, end: number): Promise<void> {
  const buffers: [Buffer, Buffer] = [takeBuffer(), takeBuffer()];
  let writing: Promise<void> = Promise.resolve();
  try {
    let position = start;
    for (let turn = 0; position <= end; turn++) {
      const buffer = turn % 2 === 0 ? buffers[0] : buffers[1];
      const want = Math.min(CHUNK, end - position + 1);
      const read = await object.read(want === CHUNK ? buffer : buffer.subarray(0, want), position);
      if (read === 0) throw new BerthError(ErrorCode.Internal, `object ended at ${position} bytes, before ${end + 1}`);
      position += read;
      await writing;
      writing = write(dest, read === CHUNK ? buffer : buffer.subarray(0, read));
      // Awaited on the next turn or below; this keeps a failed write from counting as unhandled meanwhile.
      void writing.catch(() => undefined);
    }
    await writing;
    await new Promise<void>((resolve, reject) => {
      dest.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  } finally {
    // A write still pending (after a failed read) must finish with its buffer before it is reused.
    await writing.catch(() => undefined);
    buffers.forEach(giveBuffer);
  }
}
