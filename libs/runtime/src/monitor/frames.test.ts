import { ClientFrame, encodeFrame, encodeResize, FrameDecoder, MonitorFrame } from './frames';

describe('attach frames', () => {
  it('encodes type, big-endian length and payload', () => {
    expect([...encodeFrame(ClientFrame.Stdin, Buffer.from('hi'))]).toEqual([1, 0, 0, 0, 2, 0x68, 0x69]);
    expect([...encodeFrame(ClientFrame.CloseStdin)]).toEqual([2, 0, 0, 0, 0]);
  });

  it('encodes a resize as rows then cols, u16 big-endian, clamped', () => {
    expect([...encodeResize(24, 300)]).toEqual([3, 0, 0, 0, 4, 0, 24, 1, 44]);
    expect([...encodeResize(-1, 70000).subarray(5)]).toEqual([0, 0, 0xff, 0xff]);
  });

  it('decodes frames split at every byte boundary', () => {
    const stream = Buffer.concat([
      encodeFrame(MonitorFrame.Stdout, Buffer.from('hello\n')),
      encodeFrame(MonitorFrame.Stderr, Buffer.alloc(0)),
      encodeFrame(MonitorFrame.Exit, Buffer.from('137')),
    ]);
    for (let split = 0; split <= stream.length; split++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(stream.subarray(0, split)), ...decoder.push(stream.subarray(split))];
      expect(frames.map((f) => [f.type, f.payload.toString()])).toEqual([
        [1, 'hello\n'],
        [2, ''],
        [3, '137'],
      ]);
      expect(decoder.buffered).toBe(0);
    }
  });

  it('decodes one byte at a time', () => {
    const decoder = new FrameDecoder();
    const stream = encodeFrame(MonitorFrame.Stdout, Buffer.from('abc'));
    const frames = [...stream].flatMap((b) => decoder.push(Buffer.from([b])));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload.toString()).toBe('abc');
  });

  it('rejects an absurd length instead of buffering forever', () => {
    const decoder = new FrameDecoder();
    expect(() => decoder.push(Buffer.from([1, 0xff, 0xff, 0xff, 0xff]))).toThrow(/exceeds/);
  });
});
