import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { applyLayer } from './apply-layer';
import { tarOf, type Entry } from './tar-fixtures.test-support';

// Every test unpacks into sandbox/root (breakouts.test.ts covers what must stay outside).
let sandbox: string;
let root: string;

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'berth-archive-'));
  root = join(sandbox, 'root');
  mkdirSync(root);
});
afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

const apply = async (entries: Entry[]) => applyLayer(Readable.from([await tarOf(entries)]), root);

describe('applyLayer', () => {
  it('unpacks files, dirs, symlinks and hardlinks with owners and modes', async () => {
    const result = await apply([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/passwd', body: 'root:x:0:0', uid: 0, gid: 0 },
      { name: 'bin/tool', body: '#!/bin/sh', mode: 0o4755, uid: 1000, gid: 1000 },
      { name: 'bin/link', type: 'symlink', linkname: 'tool' },
      { name: 'bin/hard', type: 'link', linkname: 'bin/tool' },
    ]);
    expect(result.diffId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toBe('root:x:0:0');
    const tool = lstatSync(join(root, 'bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect([tool.uid, tool.gid]).toEqual([1000, 1000]);
    expect(readlinkSync(join(root, 'bin/link'))).toBe('tool');
    expect(lstatSync(join(root, 'bin/hard')).ino).toBe(tool.ino);
  });

  it('reads gzip layers and reports the uncompressed diffID', async () => {
    const tar = await tarOf([{ name: 'a', body: 'x' }]);
    const plain = await applyLayer(Readable.from([tar]), root);
    rmSync(root, { recursive: true });
    mkdirSync(root);
    const gz = await applyLayer(Readable.from([gzipSync(tar)]), root);
    expect(gz.diffId).toBe(plain.diffId);
    expect(gz.size).toBe(tar.length);
  });

  it('turns whiteouts into overlay whiteouts and opaque markers', async () => {
    await apply([
      { name: 'dir/', type: 'directory' },
      { name: 'dir/.wh..wh..opq' },
      { name: 'gone/.wh.file' },
    ]);
    const whiteout = lstatSync(join(root, 'gone/file'));
    expect(whiteout.isCharacterDevice()).toBe(true);
    expect(whiteout.rdev).toBe(0);
    expect(execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(root, 'dir')], { encoding: 'utf8' })).toBe('y');
    expect(existsSync(join(root, 'dir/.wh..wh..opq'))).toBe(false);
  });

  it('refuses garbage, empty archives and oversized layers', async () => {
    await expect(applyLayer(Readable.from([Buffer.from('not a tar'.repeat(200))]), root)).rejects.toThrow(/invalid tar archive/);
    await expect(applyLayer(Readable.from([Buffer.alloc(1024)]), root)).rejects.toThrow(/no entries/);
    await expect(applyLayer(Readable.from([gzipSync(Buffer.from('junk'))]), root)).rejects.toThrow(/invalid tar archive/);
    const big = await tarOf([{ name: 'big', body: 'x'.repeat(10000) }]);
    await expect(applyLayer(Readable.from([big]), root, { maxSize: 4096 })).rejects.toThrow(/size limit/);
  });
});
