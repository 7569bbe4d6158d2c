import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileInRoot } from './read-file-in-root';
import { cleanComponents, resolveInRootSync } from './resolve-in-root';

describe('readFileInRoot', () => {
  let base: string;
  let root: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'berth-root-'));
    root = join(base, 'rootfs');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(base, 'secret'), 'host secret');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('reads a plain file', async () => {
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    await expect(readFileInRoot(root, '/etc/passwd')).resolves.toContain('root:x:0:0');
  });

  it('keeps absolute symlinks inside the root', async () => {
    writeFileSync(join(root, 'secret'), 'inside');
    symlinkSync('/secret', join(root, 'etc/passwd'));
    await expect(readFileInRoot(root, '/etc/passwd')).resolves.toBe('inside');
  });

  it('never climbs above the root with ..', async () => {
    symlinkSync('../../../../secret', join(root, 'etc/passwd'));
    await expect(readFileInRoot(root, '/etc/passwd')).resolves.toBeUndefined();
    writeFileSync(join(root, 'secret'), 'inside');
    await expect(readFileInRoot(root, '/etc/passwd')).resolves.toBe('inside');
    expect(resolveInRootSync(root, cleanComponents('/etc/../../../secret'), true)).toBe(join(root, 'secret'));
  });

  it('gives up on symlink loops and missing files', async () => {
    symlinkSync('/etc/group', join(root, 'etc/passwd'));
    symlinkSync('/etc/passwd', join(root, 'etc/group'));
    await expect(readFileInRoot(root, '/etc/passwd')).resolves.toBeUndefined();
    await expect(readFileInRoot(root, '/etc/shadow')).resolves.toBeUndefined();
  });

  it('refuses directories and files over the size limit', async () => {
    writeFileSync(join(root, 'etc/big'), 'x'.repeat(100));
    await expect(readFileInRoot(root, '/etc')).resolves.toBeUndefined();
    await expect(readFileInRoot(root, '/etc/big', 10)).resolves.toBeUndefined();
  });
});
