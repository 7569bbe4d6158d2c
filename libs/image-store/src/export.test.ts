import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { exportLayers, snapshotLayerDirs } from './export';
import { readAll } from './save';

interface Entry {
  type: string;
  body: string;
  linkname?: string;
}

async function entries(archive: Readable): Promise<Map<string, Entry>> {
  const found = new Map<string, Entry>();
  const x = extract();
  const done = (async () => {
    for await (const entry of x) {
      const body = (await readAll(entry as unknown as Readable)).toString();
      found.set(entry.header.name, { type: entry.header.type, body, ...(entry.header.linkname ? { linkname: entry.header.linkname } : {}) });
    }
  })();
  x.end(await readAll(archive));
  await done;
  return found;
}

function files(root: string, spec: Record<string, string | null>): void {
  for (const [name, body] of Object.entries(spec)) {
    const path = join(root, name);
    mkdirSync(name.endsWith('/') ? path : join(path, '..'), { recursive: true });
    if (name.endsWith('/')) continue;
    if (body === null) execFileSync('mknod', [path, 'c', '0', '0']); // overlay whiteout
    else writeFileSync(path, body);
  }
}

describe('exportLayers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-export-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the merged view: top-most wins, whiteouts and opaque directories hide what is below', async () => {
    const [base, mid, upper] = ['base', 'mid', 'upper'].map((n) => join(dir, n)) as [string, string, string];
    files(base, { 'bin/sh': 'sh', 'etc/a': 'a', 'etc/b': 'b', 'etc/c': 'old c', 'opaque/gone': 'x', 'keep/old': 'o', 'file-then-dir': 'f' });
    files(mid, { 'etc/a': null, 'etc/c': 'new c', 'opaque/new': 'n', 'keep/mid': 'm', 'file-then-dir/inside': 'i' });
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(mid, 'opaque')]);
    files(upper, { 'etc/b': null, 'data/one': 'hard', 'keep/': '' });
    linkSync(join(upper, 'data/one'), join(upper, 'data/two'));
    symlinkSync('/etc/c', join(upper, 'link'));

    const found = await entries(exportLayers([upper, mid, base]));
    expect([...found.keys()].sort()).toEqual(
      [
        'bin/', 'bin/sh', 'data/', 'data/one', 'data/two', 'etc/', 'etc/c', 'file-then-dir/', 'file-then-dir/inside',
        'keep/', 'keep/mid', 'keep/old', 'link', 'opaque/', 'opaque/new',
      ].sort(),
    );
    expect(found.get('etc/c')?.body).toBe('new c');
    expect(found.get('data/two')).toEqual({ type: 'link', body: '', linkname: 'data/one' });
    expect(found.get('link')).toEqual({ type: 'symlink', body: '', linkname: '/etc/c' });
  });

  it('reads the layer directories from a snapshot mount, upper first', () => {
    expect(snapshotLayerDirs([{ options: ['lowerdir=/l/2:/l/1', 'upperdir=/s/upper', 'workdir=/s/work'] }])).toEqual(['/s/upper', '/l/2', '/l/1']);
    expect(() => snapshotLayerDirs([])).toThrow('no overlay mount');
  });
});
