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

// Splits the stream's chunks into whole messages, however the chunks cut them.
export class MessageDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes: number) {}

  write(chunk: Buffer): Buffer[] {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (data.length >= PREFIX_BYTES) {
      // Compression is never asked for (no grpc-accept-encoding but identity), so a server
      // that compresses anyway is broken.
      if (data.readUInt8(0) !== 0) throw new Error('received a compressed message without asking for compression');
      const length = data.readUInt32BE(1);
      if (length > this.maxMessageBytes) throw new MessageTooLargeError(`Received message larger than max (${length} vs. ${this.maxMessageBytes})`);
      if (data.length < PREFIX_BYTES + length) break;
      messages.push(data.subarray(PREFIX_BYTES, PREFIX_BYTES + length));
      data = data.subarray(PREFIX_BYTES + length);
    }
    this.pending = data;
    return messages;
  }
}
