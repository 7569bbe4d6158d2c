// gRPC's length-prefixed messages on an HTTP/2 stream: a compressed-flag byte, a 4-byte
// big-endian length, then the message.
const PREFIX_BYTES = 5;

// The largest message Berth's clients send or take.
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export function frameMessage(message: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, PREFIX_BYTES);
  return frame;
}

export class MessageTooLargeError extends Error {}

// Splits the stream's chunks into whole messages, however the chunks cut them. A message's
// chunks are kept as they come and joined once it is whole: joining at every chunk would copy a
// large message over and over (a 64 MiB one in 16 KiB chunks: ~128 GiB of copying).
export class MessageDecoder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  // The length of the message whose prefix has been read, while its body is still coming.
  private expected: number | undefined;

  constructor(private readonly maxMessageBytes: number) {}

  write(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const messages: Buffer[] = [];
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < PREFIX_BYTES) break;
        const prefix = this.take(PREFIX_BYTES);
        // Compression is never asked for (no grpc-accept-encoding but identity), so a server
        // that compresses anyway is broken.
        if (prefix.readUInt8(0) !== 0) throw new Error('received a compressed message without asking for compression');
        const length = prefix.readUInt32BE(1);
        if (length > this.maxMessageBytes) throw new MessageTooLargeError(`Received message larger than max (${length} vs. ${this.maxMessageBytes})`);
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      messages.push(this.take(this.expected));
      this.expected = undefined;
    }
    return messages;
  }

  // The next n buffered bytes (n <= buffered), copied only when they span chunks.
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Buffer;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
