import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack, type Header } from 'tar-stream';
import { applyLayer } from '@berth/archive';
import { describeIntegration } from '../harness';

type Entry = Partial<Header> & { name: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const { body, ...header } of entries) p.entry({ mode: 0o644, ...header }, body ?? '');
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

// Layers unpacked by the image store must stack under a real overlayfs the way docker's do:
// whiteouts hide files, opaque directories hide whole lower directories.
describeIntegration('multi-layer images under overlayfs', () => {
  let dir: string;
  let merged: string;

  beforeEach(() => {
    dir = mkdtempSync('/tmp/berth-it-layers-');
    merged = join(dir, 'merged');
    for (const sub of ['l1', 'l2', 'l3', 'upper', 'work', 'merged']) mkdirSync(join(dir, sub));
  });

  afterEach(() => {
    try {
      execFileSync('umount', [merged]);
    } catch {
      // Not mounted: the test failed before mounting.
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('hides whited-out files and opaque directories of lower layers', async () => {
    await applyLayer(
      Readable.from([
        await tarOf([
          { name: 'etc/', type: 'directory', mode: 0o755 },
          { name: 'etc/keep', body: 'keep' },
          { name: 'etc/remove-me', body: 'old' },
          { name: 'data/', type: 'directory', mode: 0o755 },
          { name: 'data/a', body: 'a' },
          { name: 'data/b', body: 'b' },
        ]),
      ]),
      join(dir, 'l1'),
    );
    await applyLayer(
      Readable.from([
        await tarOf([
          { name: 'etc/.wh.remove-me' },
          { name: 'data/', type: 'directory', mode: 0o755 },
          { name: 'data/.wh..wh..opq' },
          { name: 'data/c', body: 'c' },
        ]),
      ]),
      join(dir, 'l2'),
    );
    await applyLayer(Readable.from([await tarOf([{ name: 'etc/keep', body: 'changed' }])]), join(dir, 'l3'));
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${join(dir, 'l3')}:${join(dir, 'l2')}:${join(dir, 'l1')},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`, merged]);
    expect(readFileSync(join(merged, 'etc/keep'), 'utf8')).toBe('changed');
    expect(existsSync(join(merged, 'etc/remove-me'))).toBe(false);
    expect(readdirSync(join(merged, 'data'))).toEqual(['c']);
  });
});
