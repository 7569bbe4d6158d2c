import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { applyLayer } from './apply-layer';

type Entry = Partial<Header> & { name: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ mode: 0o644, mtime: new Date(1e12), ...header, size: body?.length ?? 0 }, body ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

// Every test unpacks into sandbox/root; sandbox/outside is what an escape would touch.
let sandbox: string;
let root: string;
let outside: string;

function snapshot(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const stats = lstatSync(path);
      found.push(`${path.slice(sandbox.length)}:${stats.mode}:${stats.size}`);
      if (stats.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found.sort();
}

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'berth-archive-'));
  root = join(sandbox, 'root');
  outside = join(sandbox, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim'), 'original');
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

// Hostile archives, each named for what it tries (containerd's TestBreakouts is the model).
// None may change anything outside root.
const breakouts: Record<string, Entry[]> = {
  DotDotEscape: [{ name: '../outside/victim', body: 'pwned' }],
  DeepDotDotEscape: [{ name: 'a/b/../../../../outside/victim', body: 'pwned' }],
  AbsolutePath: [{ name: `${'/'}OUTSIDE_ABS/victim`, body: 'pwned' }],
  SymlinkUpAndOut: [
    { name: 'up', type: 'symlink', linkname: '../outside' },
    { name: 'up/victim', body: 'pwned' },
  ],
  SymlinkAbsoluteOut: [
    { name: 'abs', type: 'symlink', linkname: '/OUTSIDE_DIR' },
    { name: 'abs/victim', body: 'pwned' },
  ],
  SymlinkParentEscape: [
    { name: 'a/', type: 'directory' },
    { name: 'a/b', type: 'symlink', linkname: '../../outside' },
    { name: 'a/b/victim', body: 'pwned' },
  ],
  SymlinkChain: [
    { name: 'l1', type: 'symlink', linkname: 'l2' },
    { name: 'l2', type: 'symlink', linkname: '../outside' },
    { name: 'l1/victim', body: 'pwned' },
  ],
  SymlinkDotDotInTarget: [
    { name: 'x', type: 'symlink', linkname: 'a/../../../outside' },
    { name: 'x/victim', body: 'pwned' },
  ],
  SymlinkLoop: [
    { name: 'loop1', type: 'symlink', linkname: 'loop2' },
    { name: 'loop2', type: 'symlink', linkname: 'loop1' },
    { name: 'loop1/file', body: 'x' },
  ],
  SymlinkReplacesDirMidArchive: [
    { name: 'dir/', type: 'directory' },
    { name: 'dir/a', body: 'ok' },
    { name: 'dir', type: 'symlink', linkname: '../outside' },
    { name: 'dir/victim', body: 'pwned' },
  ],
  SymlinkFileThenWrite: [
    { name: 'f', type: 'symlink', linkname: '../outside/victim' },
    { name: 'f', body: 'pwned' },
  ],
  HardlinkToOutside: [{ name: 'h', type: 'link', linkname: '../outside/victim' }],
  HardlinkAbsoluteOutside: [{ name: 'h', type: 'link', linkname: '/OUTSIDE_FILE' }],
  HardlinkThroughSymlink: [
    { name: 's', type: 'symlink', linkname: '../outside' },
    { name: 'h', type: 'link', linkname: 's/victim' },
  ],
  HardlinkSymlinkChmod: [
    { name: 's', type: 'symlink', linkname: '../outside/victim' },
    { name: 'h', type: 'link', linkname: 's' },
    { name: 'h', body: 'pwned', mode: 0o777 },
  ],
  HardlinkToDirectory: [
    { name: 'd/', type: 'directory' },
    { name: 'h', type: 'link', linkname: 'd' },
  ],
  WhiteoutThroughSymlink: [
    { name: 'w', type: 'symlink', linkname: '../outside' },
    { name: 'w/.wh.victim' },
  ],
  WhiteoutDotDot: [{ name: '.wh...' }],
  WhiteoutEscapingName: [{ name: 'a/.wh.../../outside/victim' }],
  OpaqueThroughSymlink: [
    { name: 'o', type: 'symlink', linkname: '../outside' },
    { name: 'o/.wh..wh..opq' },
  ],
  DeviceNode: [{ name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 }],
  CharDeviceMem: [{ name: 'mem', type: 'character-device', devmajor: 1, devminor: 1 }],
  AbsurdMode: [{ name: 'weird', body: 'x', mode: 0o17777777 }],
  FileReplacesSymlinkDir: [
    { name: 'link', type: 'symlink', linkname: '../outside' },
    { name: 'link/', type: 'directory', mode: 0o777 },
  ],
  DirModeThroughSymlink: [
    { name: 'link', type: 'symlink', linkname: '../outside' },
    { name: 'link/./', type: 'directory', mode: 0o777 },
  ],
  RelativeSymlinkUpThenDown: [
    { name: 'a/', type: 'directory' },
    { name: 'a/s', type: 'symlink', linkname: '../../root/../outside' },
    { name: 'a/s/victim', body: 'pwned' },
  ],
};

describe('breakouts', () => {
  it.each(Object.entries(breakouts))('%s changes nothing outside the root', async (_name, entries) => {
    const fixed = entries.map((e) => ({
      ...e,
      name: e.name.replace('OUTSIDE_ABS', outside.slice(1)),
      linkname: e.linkname?.replace('/OUTSIDE_DIR', outside).replace('/OUTSIDE_FILE', join(outside, 'victim')),
    }));
    const before = snapshot(outside);
    await applyLayer(Readable.from([await tarOf(fixed)]), root).catch(() => undefined);
    expect(snapshot(outside)).toEqual(before);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('original');
    expect(lstatSync(join(outside, 'victim')).mode & 0o777).toBe(0o644);
    expect(readdirSync(sandbox).sort()).toEqual(['outside', 'root']);
  });

  it('keeps absurd modes to permission bits', async () => {
    await apply(breakouts.AbsurdMode as Entry[]);
    expect(lstatSync(join(root, 'weird')).mode & ~0o170000).toBeLessThanOrEqual(0o7777);
  });

  it('skips device nodes', async () => {
    const result = await apply(breakouts.DeviceNode as Entry[]);
    expect(result.skipped).toEqual(['dev/sda']);
    expect(existsSync(join(root, 'dev/sda'))).toBe(false);
  });
});
