import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { type ObjectHandle } from '../storage/driver';
import { sendObject } from './send-object';

const handleOver = (bytes: Buffer, stopAt = bytes.length): ObjectHandle => ({
  size: bytes.length,
  read: async (into, position) => bytes.copy(into, 0, Math.min(position, stopAt), stopAt),
  close: async () => undefined,
});

// Takes a chunk's bytes only when it completes the write, as the kernel does with a socket's
// buffer: a chunk reused before its write completed arrives corrupted.
function slowSink(): { sink: Writable; received: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      setTimeout(() => {
        chunks.push(Buffer.from(chunk));
        done();
      }, 1);
    },
  });
  return { sink, received: () => Buffer.concat(chunks) };
}

describe('sendObject', () => {
  it('sends a whole object larger than its buffers, intact, and ends the destination', async () => {
    const bytes = randomBytes(5 * (1 << 20) + 12345);
    const { sink, received } = slowSink();
    await sendObject(handleOver(bytes), sink, 0, bytes.length - 1);
    expect(sink.writableFinished).toBe(true);
    expect(received().equals(bytes)).toBe(true);
  });

  it('sends an inclusive range', async () => {
    const bytes = randomBytes(3 * (1 << 20));
    const { sink, received } = slowSink();
    await sendObject(handleOver(bytes), sink, 1000, 2 * (1 << 20) + 7);
    expect(received().equals(bytes.subarray(1000, 2 * (1 << 20) + 8))).toBe(true);
  });

  it('keeps concurrent sends apart although they share a buffer pool', async () => {
    const objects = Array.from({ length: 6 }, (_, i) => randomBytes((i + 1) * 700_000));
    const sends = objects.map(async (bytes) => {
      const { sink, received } = slowSink();
      await sendObject(handleOver(bytes), sink, 0, bytes.length - 1);
      return received();
    });
    const results = await Promise.all(sends);
    results.forEach((got, i) => expect(got.equals(objects[i] ?? Buffer.alloc(0))).toBe(true));
  });

  it('fails when the object ends before the range does', async () => {
    const bytes = randomBytes(2 * (1 << 20));
    const { sink } = slowSink();
    await expect(sendObject(handleOver(bytes, 1 << 20), sink, 0, bytes.length - 1)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('fails when the destination goes away mid-object', async () => {
    const bytes = randomBytes(8 * (1 << 20));
    const { sink } = slowSink();
    setTimeout(() => sink.destroy(), 2);
    await expect(sendObject(handleOver(bytes), sink, 0, bytes.length - 1)).rejects.toBeDefined();
  });
});
