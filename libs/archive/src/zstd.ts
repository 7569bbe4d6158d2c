import { Decompress } from 'fzstd';
import { invalidArgument, isBerthError } from '@berth/errors';
import { layerTooLarge } from './size-limit';

// zstd's own decoder refuses windows over 128 MiB unless told otherwise (--long=31): so do we,
// since the decoder allocates the whole window up front.
const MAX_WINDOW_BYTES = 128 * 1024 * 1024;
// Input is fed in slices so that one highly compressed chunk cannot expand to gigabytes at once.
const SLICE_BYTES = 4096;
const FRAME_MAGIC = 0xfd2fb528;

/*
 * The window a zstd frame header asks for, or undefined when the header is not a plain zstd
 * frame (skippable frames, or too few bytes). RFC 8878 section 3.1.1.1.
 */
export function frameWindowSize(head: Buffer): number | undefined {
  if (head.length < 6 || head.readUInt32LE(0) !== FRAME_MAGIC) return undefined;
  const descriptor = head[4] as number;
  const singleSegment = (descriptor & 0x20) !== 0;
  if (!singleSegment) {
    const window = head[5] as number;
    const base = 2 ** (10 + (window >> 3));
    return base + (base / 8) * (window & 7);
  }
  // A single-segment frame's window is its content size.
  const sizeBytes = [1, 2, 4, 8][descriptor >> 6] as number;
  const dictBytes = [0, 1, 2, 4][descriptor & 3] as number;
  const at = 5 + dictBytes;
  if (head.length < at + sizeBytes) return undefined;
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + (head[at + i] as number);
  return sizeBytes === 2 ? size + 256 : size;
}

function zstdError(err: unknown): Error {
  if (isBerthError(err)) return err;
  return invalidArgument(`invalid zstd data: ${err instanceof Error ? err.message : String(err)}`);
}

// Decodes a zstd stream as it arrives, yielding each decoded block; the consumer's pace applies.
export async function* zstdDecoded(source: AsyncIterable<Buffer>, maxSize?: number): AsyncGenerator<Buffer> {
  let ready: Buffer[] = [];
  let total = 0;
  let checked = false;
  let head = Buffer.alloc(0);
  const decoder = new Decompress((data) => {
    total += data.length;
    if (maxSize !== undefined && total > maxSize) throw layerTooLarge(maxSize);
    if (data.length > 0) ready.push(Buffer.from(data.buffer, data.byteOffset, data.length));
  });
  const feed = (slice: Buffer, final: boolean): void => {
    try {
      decoder.push(slice, final);
    } catch (err) {
      throw zstdError(err);
    }
  };
  for await (const chunk of source) {
    if (!checked) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 18) continue;
      checked = true;
      const window = frameWindowSize(head);
      if (window !== undefined && window > MAX_WINDOW_BYTES) {
        throw invalidArgument(`invalid zstd data: its window of ${window} bytes is over the ${MAX_WINDOW_BYTES}-byte limit`);
      }
    }
    const data = head.length > 0 ? head : chunk;
    head = Buffer.alloc(0);
    for (let i = 0; i < data.length; i += SLICE_BYTES) {
      feed(data.subarray(i, i + SLICE_BYTES), false);
      if (ready.length > 0) {
        const out = ready;
        ready = [];
        yield* out;
      }
    }
  }
  feed(head, true);
  yield* ready;
}
