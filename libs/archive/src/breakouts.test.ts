import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer } from './apply-layer';
import { NAME_FIELD, SIZE_FIELD, tarOf, treeDigest, withRawField, type Entry } from './tar-fixtures.test-support';

// Every case unpacks into sandbox/root; sandbox/outside is what an escape would touch.
let sandbox: string;
let root: string;
let outside: string;

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'berth-breakout-'));
  root = join(sandbox, 'root');
  outside = join(sandbox, 'outside');
  mkdirSync(root);
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(outside, 'victim'), 'original', { mode: 0o644 });
  writeFileSync(join(outside, 'dir', 'inner'), 'inner');
  symlinkSync('victim', join(outside, 'link'));
});
afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

// Placeholders for paths only known at run time.
function locate(entries: Entry[]): Entry[] {
  return entries.map((e) => ({
    ...e,
    name: e.name.replace('OUTSIDE_ABS', outside.slice(1)),
    linkname: e.linkname?.replace('/OUTSIDE_DIR', outside).replace('/OUTSIDE_FILE', join(outside, 'victim')),
  }));
}

const through = (name: string, linkname = '../outside'): Entry => ({ name, type: 'symlink', linkname });
const pwn = (name: string, mode?: number): Entry => ({ name, body: 'pwned', ...(mode === undefined ? {} : { mode }) });

// Hostile archives, each named for what it tries (containerd's TestBreakouts is the model).
const breakouts: Record<string, Entry[]> = {
  // `..` and absolute names
  DotDotEscape: [pwn('../outside/victim')],
  DeepDotDotEscape: [pwn('a/b/../../../../outside/victim')],
  DotDotDirectoryEntry: [{ name: '../outside/newdir/', type: 'directory', mode: 0o777 }],
  AbsolutePath: [pwn('/OUTSIDE_ABS/victim')],
  // symlinks pointing out, then writes through them
  SymlinkUpAndOut: [through('up'), pwn('up/victim')],
  SymlinkAbsoluteOut: [through('abs', '/OUTSIDE_DIR'), pwn('abs/victim')],
  SymlinkParentEscape: [{ name: 'a/', type: 'directory' }, through('a/b', '../../outside'), pwn('a/b/victim')],
  SymlinkChain: [through('l1', 'l2'), through('l2'), pwn('l1/victim')],
  SymlinkDotDotInTarget: [through('x', 'a/../../../outside'), pwn('x/victim')],
  SymlinkLoop: [through('loop1', 'loop2'), through('loop2', 'loop1'), pwn('loop1/file')],
  SymlinkFileThenWrite: [through('f', '../outside/victim'), pwn('f')],
  SymlinkOutThenNewSubdir: [through('s'), { name: 's/made/', type: 'directory' }, pwn('s/made/file')],
  SymlinkLongTarget: [through('long', `${'../'.repeat(1000)}outside`), pwn('long/victim')],
  RelativeSymlinkUpThenDown: [{ name: 'a/', type: 'directory' }, through('a/s', '../../root/../outside'), pwn('a/s/victim')],
  // a symlink replacing a directory mid-archive, and the reverse
  SymlinkReplacesDirMidArchive: [{ name: 'dir/', type: 'directory' }, pwn('dir/a'), through('dir'), pwn('dir/victim')],
  SymlinkReplacesDirThenHardlink: [{ name: 'dir/', type: 'directory' }, pwn('dir/a'), through('dir'), { name: 'h', type: 'link', linkname: 'dir/victim' }],
  DirectoryReplacesSymlink: [through('link'), { name: 'link/', type: 'directory', mode: 0o777 }],
  DirectoryReplacesSymlinkThenWrite: [through('link'), { name: 'link/', type: 'directory' }, pwn('link/victim', 0o777)],
  DirModeThroughSymlink: [through('link'), { name: 'link/./', type: 'directory', mode: 0o777 }],
  StickyDirectoryOverSymlink: [through('link'), { name: 'link/', type: 'directory', mode: 0o1777 }],
  // hard links
  HardlinkToOutside: [{ name: 'h', type: 'link', linkname: '../outside/victim' }],
  HardlinkDotDotChain: [{ name: 'h', type: 'link', linkname: 'a/../../outside/victim' }],
  HardlinkAbsoluteOutside: [{ name: 'h', type: 'link', linkname: '/OUTSIDE_FILE' }],
  HardlinkThroughSymlink: [through('s'), { name: 'h', type: 'link', linkname: 's/victim' }],
  HardlinkSymlinkChmod: [through('s', '../outside/victim'), { name: 'h', type: 'link', linkname: 's' }, pwn('h', 0o777)],
  HardlinkToDirectory: [{ name: 'd/', type: 'directory' }, { name: 'h', type: 'link', linkname: 'd' }],
  HardlinkToWhiteoutDeleted: [pwn('a'), { name: '.wh.a' }, { name: 'h', type: 'link', linkname: 'a' }],
  // whiteouts through symlinks
  WhiteoutThroughSymlink: [through('w'), { name: 'w/.wh.victim' }],
  WhiteoutNestedUnderSymlink: [through('w'), { name: 'w/dir/.wh.inner' }],
  WhiteoutOfSymlinkPointingOut: [through('l', '../outside/victim'), { name: '.wh.l' }],
  WhiteoutDotDot: [{ name: '.wh...' }],
  WhiteoutEscapingName: [{ name: 'a/.wh.../../outside/victim' }],
  OpaqueThroughSymlink: [through('o'), { name: 'o/.wh..wh..opq' }],
  OpaqueUnderSymlinkedParent: [{ name: 'd/', type: 'directory' }, through('d/s', '../../outside'), { name: 'd/s/dir/.wh..wh..opq' }],
  // device nodes and fifos
  BlockDevice: [{ name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 }],
  CharDeviceMem: [{ name: 'mem', type: 'character-device', devmajor: 1, devminor: 1 }],
  BlockDeviceDotDot: [{ name: '../outside/sda', type: 'block-device', devmajor: 8, devminor: 0 }],
  CharDeviceThroughSymlink: [through('s'), { name: 's/null', type: 'character-device', devmajor: 1, devminor: 3 }],
  FifoThroughSymlink: [through('s'), { name: 's/fifo', type: 'fifo' }],
  DeviceOverSymlinkOut: [through('s', '../outside/victim'), { name: 's', type: 'character-device', devmajor: 1, devminor: 3 }],
  // absurd modes
  AbsurdMode: [{ name: 'weird', body: 'x', mode: 0o17777777 }],
  Mode07777File: [{ name: 'all', body: 'x', mode: 0o7777 }],
  SetuidDirectory: [{ name: 'suid/', type: 'directory', mode: 0o6755 }, { name: 'suid/f', body: 'x' }],
  StickyWorldWritableDir: [{ name: 'tmp/', type: 'directory', mode: 0o1777 }],
  // very long names
  VeryLongPath: [pwn(`${'d/'.repeat(1500)}f`)],
  OverlongComponent: [pwn(`${'x'.repeat(300)}/victim`)],
  LongNameDotDot: [pwn(`${'a/'.repeat(60)}${'../'.repeat(62)}outside/victim`)],
  // duplicates
  DuplicateFileEntries: [{ name: 'f', body: 'one' }, { name: 'f', body: 'two' }],
  DuplicateDirThenSymlinkOut: [{ name: 'd/', type: 'directory' }, through('d'), { name: 'd/', type: 'directory', mode: 0o777 }, pwn('d/victim')],
};

// Headers no tar writer makes: fields patched as raw bytes.
const RAW: Record<string, () => Promise<Buffer>> = {
  NulInName: async () => withRawField(await tarOf([pwn('placeholder')]), 0, NAME_FIELD, Buffer.from('a\0/../../outside/victim', 'latin1')),
  NulBeforeDotDot: async () => withRawField(await tarOf([pwn('placeholder')]), 0, NAME_FIELD, Buffer.from('\0../outside/victim', 'latin1')),
  InvalidUtf8Name: async () => withRawField(await tarOf([pwn('placeholder')]), 0, NAME_FIELD, Buffer.concat([Buffer.from([0xff, 0xfe, 0x2f]), Buffer.from('../../outside/victim')])),
  // A symlink with an invalid UTF-8 name pointing out, then a write through the name it decodes to.
  InvalidUtf8Symlink: async () => withRawField(await tarOf([through('placeholder'), pwn('\ufffd(/victim')]), 0, NAME_FIELD, Buffer.from([0xc3, 0x28])),
  // A PAX header claiming 8 GiB: the parser must not try to hold it.
  PaxHeaderBomb: async () => withRawField(await tarOf([pwn(`../outside/${'x'.repeat(200)}`)]), 0, SIZE_FIELD, Buffer.from('77777777777\0')),
};

const allCases = [...Object.keys(breakouts), ...Object.keys(RAW)];

async function archiveFor(name: string): Promise<Buffer> {
  return name in RAW ? (RAW[name] as () => Promise<Buffer>)() : tarOf(locate(breakouts[name] as Entry[]));
}

describe('breakouts', () => {
  it('has at least 30 hostile archives', () => {
    expect(allCases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(allCases)('%s changes nothing outside the root', async (name) => {
    const before = treeDigest(outside);
    const archive = await archiveFor(name);
    await applyLayer(Readable.from([archive]), root).catch((err: unknown) => {
      // Refusals are fine; crashes are not: every failure is a BerthError or an errno error.
      expect(err).toHaveProperty('code');
    });
    expect(treeDigest(outside)).toBe(before);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('original');
    expect(readdirSync(sandbox).sort()).toEqual(['outside', 'root']);
  });
});

describe('what hostile entries become inside the root', () => {
  const apply = async (entries: Entry[]) => applyLayer(Readable.from([await tarOf(locate(entries))]), root);

  it('keeps setuid, setgid and sticky bits and masks the rest', async () => {
    await apply([...(breakouts.AbsurdMode as Entry[]), ...(breakouts.SetuidDirectory as Entry[]), ...(breakouts.StickyWorldWritableDir as Entry[])]);
    expect(lstatSync(join(root, 'weird')).mode & 0o7777).toBe(0o7777);
    expect(lstatSync(join(root, 'suid')).mode & 0o7777).toBe(0o6755);
    expect(lstatSync(join(root, 'tmp')).mode & 0o7777).toBe(0o1777);
  });

  it('makes device nodes and fifos inside the root, as docker does as root', async () => {
    const result = await apply([...(breakouts.BlockDevice as Entry[]), ...(breakouts.CharDeviceMem as Entry[]), { name: 'pipe', type: 'fifo' }]);
    expect(result.skipped).toEqual([]);
    const sda = lstatSync(join(root, 'dev/sda'));
    expect(sda.isBlockDevice()).toBe(true);
    expect(sda.rdev).toBe((8 << 8) | 0);
    expect(lstatSync(join(root, 'mem')).isCharacterDevice()).toBe(true);
    expect(lstatSync(join(root, 'pipe')).isFIFO()).toBe(true);
  });

  it('replaces a symlink by the directory that follows it and writes inside', async () => {
    await apply(breakouts.DirectoryReplacesSymlinkThenWrite as Entry[]);
    expect(lstatSync(join(root, 'link')).isDirectory()).toBe(true);
    expect(readFileSync(join(root, 'link/victim'), 'utf8')).toBe('pwned');
  });

  it('lets the last of duplicate entries win', async () => {
    await apply(breakouts.DuplicateFileEntries as Entry[]);
    expect(readFileSync(join(root, 'f'), 'utf8')).toBe('two');
  });

  it('removes the whited-out symlink, not what it points at', async () => {
    await apply(breakouts.WhiteoutOfSymlinkPointingOut as Entry[]);
    expect(lstatSync(join(root, 'l')).isCharacterDevice()).toBe(true);
  });

  it('refuses hard links to a directory, to a whited-out file and out of the root', async () => {
    await expect(apply(breakouts.HardlinkToDirectory as Entry[])).rejects.toThrow(/hard link to a directory/);
    await expect(apply(breakouts.HardlinkToWhiteoutDeleted as Entry[])).rejects.toThrow(/deleted by a whiteout/);
    rmSync(root, { recursive: true });
    mkdirSync(root);
    await expect(apply(breakouts.HardlinkToOutside as Entry[])).rejects.toThrow(/not in the layer/);
  });

  it('refuses a PAX header bomb as a bad archive', async () => {
    await expect(applyLayer(Readable.from([await (RAW.PaxHeaderBomb as () => Promise<Buffer>)()]), root)).rejects.toThrow(/invalid tar archive: Header exceeds max size/);
  });

  it('keeps a symlink target as written, however long', async () => {
    await apply([through('long', `${'../'.repeat(1000)}outside`)]);
    expect(readlinkSync(join(root, 'long'))).toHaveLength(3007);
  });
});
