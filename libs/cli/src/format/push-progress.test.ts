import { PassThrough } from 'node:stream';
import type { daemon } from '@berth/proto';
import { PushRenderer } from './push-progress';

const layer = (id: string, status: string, extra: Partial<daemon.PushLayerProgress> = {}): daemon.PushImageProgress => ({
  event: { $case: 'layer', value: { id, digest: `sha256:${id}`, status, current: 0, total: 0, from: '', ...extra } },
});

function render(tty: boolean, messages: daemon.PushImageProgress[]): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const renderer = new PushRenderer(out, tty);
  for (const m of messages) renderer.event(m);
  return text;
}

describe('PushRenderer', () => {
  const messages = [
    layer('aaa', 'preparing'),
    layer('bbb', 'preparing'),
    layer('ccc', 'preparing'),
    layer('aaa', 'pushing', { current: 10, total: 100 }),
    layer('aaa', 'pushing', { current: 100, total: 100 }),
    layer('bbb', 'exists'),
    layer('ccc', 'mounted', { from: 'library/busybox' }),
    layer('aaa', 'pushed'),
  ];

  it("writes docker's plain lines when not on a terminal, once per status", () => {
    expect(render(false, messages)).toBe(
      'aaa: Preparing\nbbb: Preparing\nccc: Preparing\naaa: Pushing\nbbb: Layer already exists\nccc: Mounted from library/busybox\naaa: Pushed\n',
    );
  });

  it('redraws each layer in place with a bar on a terminal', () => {
    const text = render(true, messages);
    expect(text.startsWith('aaa: Preparing\nbbb: Preparing\nccc: Preparing\n')).toBe(true);
    expect(text).toContain('\x1b[3A\r\x1b[2Kaaa: Pushing [=====>');
    expect(text).toContain('aaa: Pushed\r\x1b[3B');
  });
});
