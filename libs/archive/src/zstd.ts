import { Decompress } from 'fzstd';
import { invalidArgument, isBerthError } from '@berth/errors';
import { layerTooLarge } from './size-limit';
import { ZstdFrameGuard } from './zstd-frames';

// zstd's own decoder refuses windows over 128 MiB unless told otherwise (--long=31): so do we,
// since the decoder allocates the whole window up front.
const MAX_WINDOW_BYTES = 128 * 1024 * 1024;
// Input is fed in slices so that one highly compressed chunk cannot expand to gigabytes at once.
const SLICE_BYTES = 4096;

function zstdError(err: unknown): Error {
  if (isBerthError(err)) return err;
  return invalidArgument(`invalid zstd data: ${err instanceof Error ? err.message : String(err)}`);
}

// Decodes a zstd stream as it arrives, yielding each decoded block; the consumer's pace applies.
export async function* zstdDecoded(source: AsyncIterable<Buffer>, maxSize?: number): AsyncGenerator<Buffer> {
  let ready: Buffer[] = [];
  let total = 0;
  const guard = new ZstdFrameGuard(MAX_WINDOW_BYTES);
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
    for (let i = 0; i < chunk.length; i += SLICE_BYTES) {
      const slice = chunk.subarray(i, i + SLICE_BYTES);
      guard.check(slice);
      feed(slice, false);
      if (ready.length > 0) {
        const out = ready;
        ready = [];
        yield* out;
      }
    }
  }
  feed(Buffer.alloc(0), true);
  yield* ready;
}
