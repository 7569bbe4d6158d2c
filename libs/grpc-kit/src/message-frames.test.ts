import { frameMessage, MessageDecoder, MessageTooLargeError } from './message-frames';

describe('gRPC message frames', () => {
  it('gives back whole messages however the chunks cut them', () => {
    const stream = Buffer.concat([frameMessage(Buffer.from('hello')), frameMessage(Buffer.alloc(0)), frameMessage(Buffer.from('world!'))]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new MessageDecoder(1024);
      const messages = [...decoder.write(stream.subarray(0, cut)), ...decoder.write(stream.subarray(cut))];
      expect(messages.map(String)).toEqual(['hello', '', 'world!']);
    }
  });

  it('gives back messages one byte at a time', () => {
    const decoder = new MessageDecoder(1024);
    const stream = frameMessage(Buffer.from('abc'));
    const messages = [...stream].flatMap((byte) => decoder.write(Buffer.from([byte])));
    expect(messages.map(String)).toEqual(['abc']);
  });

  it('takes a large message in many small chunks', () => {
    const body = Buffer.alloc(8 * 1024 * 1024, 7);
    const stream = frameMessage(body);
    const decoder = new MessageDecoder(16 * 1024 * 1024);
    const messages: Buffer[] = [];
    for (let at = 0; at < stream.length; at += 16 * 1024) messages.push(...decoder.write(stream.subarray(at, at + 16 * 1024)));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.equals(body)).toBe(true);
  });

  it('refuses a message longer than the limit before it has arrived', () => {
    const decoder = new MessageDecoder(4);
    expect(() => decoder.write(frameMessage(Buffer.from('12345')).subarray(0, 5))).toThrow(MessageTooLargeError);
  });

  it('refuses a compressed message, which it never asked for', () => {
    const frame = frameMessage(Buffer.from('x'));
    frame[0] = 1;
    expect(() => new MessageDecoder(1024).write(frame)).toThrow('compressed');
  });
});
