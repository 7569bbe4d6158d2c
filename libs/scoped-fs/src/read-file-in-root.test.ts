import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileInRootSync } from './read-file-in-root';
import { cleanComponents, resolveInRootSync } from './resolve-in-root';

describe('readFileInRootSync', () => {
  let base: string;
  let root: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'berth-root-'));
    root = join(base, 'rootfs');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(base, 'secret'), 'host secret');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('reads a plain file', () => {
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    expect(readFileInRootSync(root, '/etc/passwd')).toContain('root:x:0:0');
  });

  it('keeps absolute symlinks inside the root', () => {
    writeFileSync(join(root, 'secret'), 'inside');
    symlinkSync('/secret', join(root, 'etc/passwd'));
    expect(readFileInRootSync(root, '/etc/passwd')).toBe('inside');
  });

  it('never climbs above the root with ..', () => {
    symlinkSync('../../../../secret', join(root, 'etc/passwd'));
    expect(readFileInRootSync(root, '/etc/passwd')).toBeUndefined();
    writeFileSync(join(root, 'secret'), 'inside');
    expect(readFileInRootSync(root, '/etc/passwd')).toBe('inside');
    expect(resolveInRootSync(root, cleanComponents('/etc/../../../secret'), true)).toBe(join(root, 'secret'));
  });

  it('gives up on symlink loops and missing files', () => {
    symlinkSync('/etc/group', join(root, 'etc/passwd'));
    symlinkSync('/etc/passwd', join(root, 'etc/group'));
    expect(readFileInRootSync(root, '/etc/passwd')).toBeUndefined();
    expect(readFileInRootSync(root, '/etc/shadow')).toBeUndefined();
  });

  it('refuses directories and files over the size limit', () => {
    writeFileSync(join(root, 'etc/big'), 'x'.repeat(100));
    expect(readFileInRootSync(root, '/etc')).toBeUndefined();
    expect(readFileInRootSync(root, '/etc/big', 10)).toBeUndefined();
  });
});
