import { PassThrough } from 'node:stream';
import type { ClientDuplexStream, ServerDuplexStream } from '@grpc/grpc-js';
import { proxyDuplex } from './proxy';

type Frame = { n: number };

// The two ends proxyDuplex touches, as object streams: what the caller was sent, and an
// upstream whose frames the test pushes.
function ends(): { call: ServerDuplexStream<Frame, Frame>; sent: Frame[]; upstream: ClientDuplexStream<Frame, Frame> & PassThrough; cancelled: () => boolean } {
  const sent: Frame[] = [];
  const call = new PassThrough({ objectMode: true });
  call.on('data', (frame: Frame) => sent.push(frame));
  let cancelled = false;
  const upstream = Object.assign(new PassThrough({ objectMode: true }), {
    cancel: () => {
      cancelled = true;
      upstream.destroy(new Error('cancelled'));
    },
  });
  return { call: call as unknown as ServerDuplexStream<Frame, Frame>, sent, upstream: upstream as unknown as ClientDuplexStream<Frame, Frame> & PassThrough, cancelled: () => cancelled };
}

async function* noFrames(): AsyncGenerator<Frame> {
  // The caller sends nothing after its first frame.
}

describe('proxyDuplex', () => {
  it('holds the first upstream frame, and every later one, until beforeFirstFrame has finished', async () => {
    const { call, sent, upstream } = ends();
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (release = resolve));
    const seenByHook: Frame[] = [];
    const done = proxyDuplex(call, noFrames(), upstream, new AbortController().signal, {
      beforeFirstFrame: async (frame) => {
        seenByHook.push(frame);
        await started;
      },
    });
    upstream.push({ n: 1 });
    upstream.push({ n: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenByHook).toEqual([{ n: 1 }]);
    expect(sent).toEqual([]);
    release();
    upstream.push(null);
    await done;
    expect(sent).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('ends with the hook\'s failure, passes nothing on and cancels the upstream', async () => {
    const { call, sent, upstream, cancelled } = ends();
    const done = proxyDuplex(call, noFrames(), upstream, new AbortController().signal, {
      beforeFirstFrame: () => Promise.reject(new Error('start failed')),
    });
    upstream.push({ n: 1 });
    await expect(done).rejects.toThrow('start failed');
    expect(sent).toEqual([]);
    expect(cancelled()).toBe(true);
  });

  it('cancels the upstream at once when the caller had already gone', async () => {
    const { call, upstream, cancelled } = ends();
    const controller = new AbortController();
    controller.abort();
    await expect(proxyDuplex(call, noFrames(), upstream, controller.signal)).rejects.toThrow('cancelled');
    expect(cancelled()).toBe(true);
  });

  it('ends with the error of a caller frame it refused, not with the upstream\'s cancellation', async () => {
    const { call, upstream, cancelled } = ends();
    async function* refusing(): AsyncGenerator<Frame> {
      yield { n: 1 };
      throw new Error('a run stream takes its open frame first and only once');
    }
    await expect(proxyDuplex(call, refusing(), upstream, new AbortController().signal)).rejects.toThrow('only once');
    expect(cancelled()).toBe(true);
  });

  it('passes frames straight on without a hook', async () => {
    const { call, sent, upstream } = ends();
    const done = proxyDuplex(call, noFrames(), upstream, new AbortController().signal);
    upstream.push({ n: 1 });
    upstream.push(null);
    await done;
    expect(sent).toEqual([{ n: 1 }]);
  });
});
