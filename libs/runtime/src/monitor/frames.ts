// The attach socket's framing (native/monitor/PROTOCOL.md): 1 byte type, 4 byte big-endian
// payload length, payload.

export const FRAME_HEADER_BYTES = 5;

// client -> monitor
export const ClientFrame = { Stdin: 1, CloseStdin: 2, Resize: 3 } as const;
// monitor -> client
export const MonitorFrame = { Stdout: 1, Stderr: 2, Exit: 3 } as const;

// The monitor never sends more than one read's worth in a frame; anything far bigger means the
// stream is not what we think it is.
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;

export interface Frame {
  type: number;
  payload: Buffer;
}

export function encodeFrame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

export function encodeResize(rows: number, cols: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(clampU16(rows), 0);
  payload.writeUInt16BE(clampU16(cols), 2);
  return encodeFrame(ClientFrame.Resize, payload);
}

function clampU16(n: number): number {
  return Math.max(0, Math.min(0xffff, Math.trunc(n)));
}

// Turns a byte stream into frames, however the bytes were split into chunks.
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= FRAME_HEADER_BYTES) {
      const type = this.pending.readUInt8(offset);
      const length = this.pending.readUInt32BE(offset + 1);
      if (length > MAX_FRAME_PAYLOAD) throw new Error(`attach frame of ${length} bytes exceeds the limit`);
      const end = offset + FRAME_HEADER_BYTES + length;
      if (this.pending.length < end) break;
      // Copy so a frame does not pin the whole chunk it came in.
      frames.push({ type, payload: Buffer.from(this.pending.subarray(offset + FRAME_HEADER_BYTES, end)) });
      offset = end;
    }
    this.pending = this.pending.subarray(offset);
    return frames;
  }

  // Bytes of an incomplete frame still waiting for the rest.
  get buffered(): number {
    return this.pending.length;
  }
}
