import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtime } from '@berth/proto';
import { resolveRuntimeBinary, RuntimeBinaries } from './runtime-binary';
import { RuntimePaths } from './runtime-paths';
import { validateContainerSpec } from './validate-spec';

const spec = (overrides: Partial<runtime.ContainerSpec> = {}): runtime.ContainerSpec =>
  runtime.ContainerSpec.fromPartial({ id: 'c1', args: ['sh'], rootfs: [{ type: 'overlay', source: 'overlay', options: [] }], ...overrides });

describe('validateContainerSpec', () => {
  it('accepts a minimal spec', () => {
    expect(() => validateContainerSpec(spec())).not.toThrow();
  });

  it.each([
    [{ args: [] }, 'no command specified'],
    [{ id: '../x' }, 'invalid container id'],
    [{ networkMode: 'bridge' }, 'invalid network mode'],
    [{ cwd: 'relative' }, 'needs to be an absolute path'],
    [{ rootfs: [] }, 'no root filesystem'],
  ])('refuses %j', (overrides, message) => {
    expect(() => validateContainerSpec(spec(overrides as Partial<runtime.ContainerSpec>))).toThrow(message);
  });
});

describe('resolveRuntimeBinary', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-rt-'));
    writeFileSync(join(dir, 'myrunc'), '#!/bin/sh\n');
    chmodSync(join(dir, 'myrunc'), 0o755);
    writeFileSync(join(dir, 'plain'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds names on PATH, absolute paths, and the default', async () => {
    await expect(resolveRuntimeBinary('myrunc', 'runc', dir)).resolves.toEqual({ name: 'myrunc', path: join(dir, 'myrunc') });
    await expect(resolveRuntimeBinary(join(dir, 'myrunc'), 'runc', '')).resolves.toEqual({ name: join(dir, 'myrunc'), path: join(dir, 'myrunc') });
    await expect(resolveRuntimeBinary('', 'myrunc', dir)).resolves.toMatchObject({ name: 'myrunc' });
  });

  it('refuses unknown, non-executable and path-like names', async () => {
    await expect(resolveRuntimeBinary('nosuch', 'runc', dir)).rejects.toThrow('unknown or invalid runtime name: nosuch');
    await expect(resolveRuntimeBinary('plain', 'runc', dir)).rejects.toThrow('unknown or invalid runtime name: plain');
    await expect(resolveRuntimeBinary('../myrunc', 'runc', dir)).rejects.toThrow('unknown or invalid runtime name');
  });

  it('caches what it found, not what it did not', async () => {
    const binaries = new RuntimeBinaries('myrunc');
    const first = binaries.resolve('', dir);
    expect(binaries.resolve('', dir)).toBe(first);
    await expect(first).resolves.toEqual({ name: 'myrunc', path: join(dir, 'myrunc') });
    await expect(binaries.resolve('later', dir)).rejects.toThrow('unknown or invalid runtime name: later');
    writeFileSync(join(dir, 'later'), '#!/bin/sh\n');
    chmodSync(join(dir, 'later'), 0o755);
    await expect(binaries.resolve('later', dir)).resolves.toMatchObject({ name: 'later' });
  });
});

describe('RuntimePaths', () => {
  it('keeps socket paths within sun_path', () => {
    const short = new RuntimePaths('/var/lib/berth/runtime');
    expect(short.container('abc').socketPath).toBe('/var/lib/berth/runtime/sockets/abc.sock');
    const long = new RuntimePaths(`/tmp/${'x'.repeat(60)}/runtime`);
    const id = 'f'.repeat(64);
    expect(Buffer.byteLength(long.container(id).socketPath)).toBeLessThan(108);
    expect(long.container(id).socketPath).toBe(long.container(id).socketPath);
    expect(long.exec(id, '0123456789abcdef').socketPath.length).toBeLessThan(108);
  });
});
