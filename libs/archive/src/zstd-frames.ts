import { invalidArgument } from '@berth/errors';

const FRAME_MAGIC = 0xfd2fb528;
// Skippable frames: 0x184D2A50 to 0x184D2A5F (RFC 8878 section 3.1.2).
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

function invalid(detail: string): Error {
  return invalidArgument(`invalid zstd data: ${detail}`);
}

/*
 * Walks a zstd stream's frame and block headers as the bytes go by (RFC 8878), without decoding,
 * so every frame's window is known before the decoder allocates it: a frame deep in a layer
 * cannot ask for gigabytes. Bytes are held back only while a header is incomplete.
 */
export class ZstdFrameGuard {
  private inFrame = false;
  private checksum = false;
  private skip = 0;
  private held = Buffer.alloc(0);

  constructor(private readonly maxWindow: number) {}

  check(chunk: Buffer): void {
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    let at = 0;
    while (at < data.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const rest = data.subarray(at);
      const used = this.inFrame ? this.blockHeader(rest) : this.frameHeader(rest);
      if (used === 0) {
        this.held = Buffer.from(rest);
        return;
      }
      at += used;
    }
  }

  private frameHeader(b: Buffer): number {
    if (b.length < 4) return 0;
    const magic = b.readUInt32LE(0);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (b.length < 8) return 0;
      this.skip = b.readUInt32LE(4);
      return 8;
    }
    if (magic !== FRAME_MAGIC) throw invalid('not a zstd frame');
    if (b.length < 5) return 0;
    const descriptor = b[4] as number;
    if ((descriptor & 0x08) !== 0) throw invalid('reserved bit set in a frame header');
    const singleSegment = (descriptor & 0x20) !== 0;
    const length = 5 + (singleSegment ? 0 : 1) + ([0, 1, 2, 4][descriptor & 3] as number) + ([singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6] as number);
    if (b.length < length) return 0;
    const window = frameWindowSize(b.subarray(0, length));
    if (window !== undefined && window > this.maxWindow) throw invalid(`a frame's window of ${window} bytes is over the ${this.maxWindow}-byte limit`);
    this.checksum = (descriptor & 0x04) !== 0;
    this.inFrame = true;
    return length;
  }

  private blockHeader(b: Buffer): number {
    if (b.length < 3) return 0;
    const header = b.readUIntLE(0, 3);
    const type = (header >> 1) & 3;
    if (type === 3) throw invalid('reserved block type');
    this.skip = type === 1 ? 1 : header >>> 3;
    if ((header & 1) !== 0) {
      this.inFrame = false;
      if (this.checksum) this.skip += 4;
    }
    return 3;
  }
}

// The window a zstd frame header asks for (RFC 8878 section 3.1.1.1), or undefined when the
// header is incomplete or not a zstd frame.
export function frameWindowSize(head: Buffer): number | undefined {
  if (head.length < 6 || head.readUInt32LE(0) !== FRAME_MAGIC) return undefined;
  const descriptor = head[4] as number;
  if ((descriptor & 0x20) === 0) {
    const window = head[5] as number;
    const base = 2 ** (10 + (window >> 3));
    return base + (base / 8) * (window & 7);
  }
  // A single-segment frame's window is its content size.
  const sizeBytes = [1, 2, 4, 8][descriptor >> 6] as number;
  const at = 5 + ([0, 1, 2, 4][descriptor & 3] as number);
  if (head.length < at + sizeBytes) return undefined;
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + (head[at + i] as number);
  return sizeBytes === 2 ? size + 256 : size;
}
