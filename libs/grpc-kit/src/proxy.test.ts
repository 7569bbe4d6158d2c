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

  it('shows each frame to beforeForward just before passing it on', async () => {
    const { call, sent, upstream } = ends();
    const seen: Array<[Frame, number]> = [];
    const done = proxyDuplex(call, noFrames(), upstream, new AbortController().signal, { beforeForward: (frame) => seen.push([frame, sent.length]) });
    upstream.push({ n: 1 });
    upstream.push({ n: 2 });
    upstream.push(null);
    await done;
    expect(seen).toEqual([[{ n: 1 }, 0], [{ n: 2 }, 1]]);
    expect(sent).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('passes frames straight on', async () => {
    const { call, sent, upstream } = ends();
    const done = proxyDuplex(call, noFrames(), upstream, new AbortController().signal);
    upstream.push({ n: 1 });
    upstream.push(null);
    await done;
    expect(sent).toEqual([{ n: 1 }]);
  });
});
