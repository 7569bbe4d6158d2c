import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isBerthError, ErrorCode } from '@berth/errors';
import { tarOf } from './tar-fixtures.test-support';

import type * as OffThread from './apply-off-thread';

// The worker thread runs the built module (dist/); without a build there is nothing to test here.
const builtPath = join(__dirname, '../dist/apply-off-thread.js');
const built = existsSync(builtPath) ? (jest.requireActual<typeof OffThread>(builtPath)) : undefined;
const describeBuilt = built?.offThreadAvailable() === true ? describe : describe.skip;
if (!built) console.warn('apply-off-thread: libs/archive is not built (npm run build); the worker-thread tests are skipped');

describeBuilt('applyLayerOffThread', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'berth-offthread-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  afterAll(() => built!.closeUnpackThreads());

  const inPieces = (bytes: Buffer, size: number): Readable =>
    Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

  it('unpacks as the calling thread would, fed in many small pieces', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024, 'x');
    const layer = gzipSync(await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/big', body: payload }, { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' }]));
    const result = await built!.applyLayerOffThread(inPieces(layer, 4096), root);
    expect(result.entries).toBe(3);
    expect(result.diffId).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(readFileSync(join(root, 'etc/big')).equals(payload)).toBe(true);
  });

  it('brings the thread’s own errors back with their codes', async () => {
    const layer = gzipSync(await tarOf([{ name: 'big', body: Buffer.alloc(1024 * 1024) }]));
    const err = await built!.applyLayerOffThread(inPieces(layer, 65536), root, { maxSize: 1000 }).catch((e: unknown) => e);
    expect(isBerthError(err, ErrorCode.PayloadTooLarge)).toBe(true);
    await expect(built!.applyLayerOffThread(Readable.from([Buffer.from('not a tar at all, not at all')]), root)).rejects.toThrow(/invalid tar archive/);
  });

  it('reports the input’s failure, not the thread’s, when the download breaks', async () => {
    const layer = gzipSync(await tarOf([{ name: 'big', body: Buffer.alloc(2 * 1024 * 1024) }]));
    const broken = Readable.from(
      (async function* () {
        yield layer.subarray(0, 1000);
        throw new Error('connection reset');
      })(),
    );
    await expect(built!.applyLayerOffThread(broken, root)).rejects.toThrow('connection reset');
  });

  it('unpacks one layer after another on the same thread, also after a layer failed', async () => {
    await built!.closeUnpackThreads();
    const layer = async (name: string): Promise<Buffer> => gzipSync(await tarOf([{ name, body: Buffer.from(name) }]));
    const first = await built!.applyLayerOffThread(inPieces(await layer('one'), 100), root);
    expect(built!.unpackThreadCount()).toBe(1);
    // Fails at its first bytes, with more of its chunks still on their way to the thread.
    const tooBig = gzipSync(await tarOf([{ name: 'big', body: Buffer.alloc(1024 * 1024) }]));
    await expect(built!.applyLayerOffThread(inPieces(tooBig, 1024), root, { maxSize: 1000 })).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    const broken = Readable.from(
      (async function* () {
        yield tooBig.subarray(0, 1000);
        throw new Error('connection reset');
      })(),
    );
    await expect(built!.applyLayerOffThread(broken, root)).rejects.toThrow('connection reset');
    const second = await built!.applyLayerOffThread(inPieces(await layer('two'), 100), root);
    expect(built!.unpackThreadCount()).toBe(1);
    expect([first.entries, second.entries]).toEqual([1, 1]);
    expect(readFileSync(join(root, 'one'), 'utf8')).toBe('one');
    expect(readFileSync(join(root, 'two'), 'utf8')).toBe('two');
  });

  it('unpacks layers side by side on threads of their own', async () => {
    await built!.closeUnpackThreads();
    const layers = await Promise.all(['a', 'b', 'c'].map(async (name) => gzipSync(await tarOf([{ name, body: Buffer.alloc(256 * 1024, name) }]))));
    const results = await Promise.all(layers.map((l) => built!.applyLayerOffThread(inPieces(l, 4096), root)));
    expect(results.map((r) => r.entries)).toEqual([1, 1, 1]);
    expect(built!.unpackThreadCount()).toBe(3);
    await built!.closeUnpackThreads();
    expect(built!.unpackThreadCount()).toBe(0);
  });

  it('takes over the memory of chunks handed over, and copies the rest', async () => {
    const layer = gzipSync(await tarOf([{ name: 'data', body: randomBytes(200 * 1024) }]));
    // A Buffer of its own memory, and a view of part of a bigger one.
    const owned = Buffer.alloc(1000);
    layer.copy(owned, 0, 0, 1000);
    const shared = Buffer.alloc(layer.length - 1000 + 10).subarray(0, layer.length - 1000);
    layer.copy(shared, 0, 1000);
    const kept = Buffer.from(layer);
    const result = await built!.applyLayerOffThread(Readable.from([owned, shared]), root, { handOverChunks: true });
    expect(result.entries).toBe(1);
    expect(owned.byteLength).toBe(0);
    expect(shared.byteLength).toBe(layer.length - 1000);
    await built!.applyLayerOffThread(Readable.from([kept]), mkdtempSync(join(root, 'again-')));
    expect(kept.byteLength).toBe(layer.length);
  });
});
