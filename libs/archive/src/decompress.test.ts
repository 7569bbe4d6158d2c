import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ErrorCode } from '@berth/errors';
import { applyLayer } from './apply-layer';
import { tarOf } from './tar-fixtures.test-support';
import { frameWindowSize } from './zstd-frames';

const zstd = (data: Buffer, ...args: string[]): Buffer => execFileSync('zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 1 << 30 });

let root: string;
beforeEach(() => {
  root = join(mkdtempSync(join(tmpdir(), 'berth-decompress-')), 'root');
  mkdirSync(root);
});
afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

// Hands the data over in small chunks, as a network would.
const chunked = (data: Buffer, size = 1500): Readable =>
  Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );

describe('layer compression', () => {
  it('unpacks plain, gzip and zstd layers to the same diffID', async () => {
    const tar = await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/motd', body: 'hello '.repeat(50_000) }, { name: 'bin/x', body: Buffer.alloc(300_000, 7) }]);
    const results = [];
    for (const blob of [tar, gzipSync(tar), zstd(tar), zstd(tar, '-19'), zstd(tar, '--format=zstd', '-B65536')]) {
      rmSync(root, { recursive: true });
      mkdirSync(root);
      results.push(await applyLayer(chunked(blob), root));
      expect(readFileSync(join(root, 'etc/motd'), 'utf8')).toHaveLength(300_000);
    }
    expect(new Set(results.map((r) => r.diffId)).size).toBe(1);
    expect(results.every((r) => r.size === tar.length)).toBe(true);
  });

  it('reads a zstd layer made of several frames', async () => {
    const tar = await tarOf([{ name: 'a', body: 'a'.repeat(100_000) }, { name: 'b', body: 'b'.repeat(100_000) }]);
    const half = tar.length / 2;
    const frames = Buffer.concat([zstd(tar.subarray(0, half)), zstd(tar.subarray(half))]);
    const result = await applyLayer(chunked(frames, 777), root);
    expect(result.size).toBe(tar.length);
    expect(readFileSync(join(root, 'b'), 'utf8')).toBe('b'.repeat(100_000));
  });

  it.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['zstd', (b: Buffer) => zstd(b)],
  ])('stops a %s decompression bomb at the size cap with PAYLOAD_TOO_LARGE', async (_kind, compress) => {
    // 64 MiB of zeros that compress to a few kilobytes; the cap is 1 MiB.
    const bomb = compress(await tarOf([{ name: 'zeros', body: Buffer.alloc(64 * 1024 * 1024) }]));
    expect(bomb.length).toBeLessThan(100 * 1024);
    await expect(applyLayer(chunked(bomb, 64 * 1024), root, { maxSize: 1024 * 1024 })).rejects.toMatchObject({
      code: ErrorCode.PayloadTooLarge,
      message: expect.stringMatching(/uncompressed size limit of 1048576 bytes/),
    });
  });

  it('refuses corrupt and truncated zstd data and windows over 128 MiB', async () => {
    const good = zstd(await tarOf([{ name: 'a', body: 'x'.repeat(100_000) }]));
    await expect(applyLayer(chunked(good.subarray(0, good.length - 20)), root)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument, message: expect.stringMatching(/zstd/) });
    const corrupt = Buffer.from(good);
    corrupt.fill(0xff, 20, 60);
    await expect(applyLayer(chunked(corrupt), root)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    // A frame header asking for a 2 GiB window (window descriptor 0x58: 2^(10+21)).
    const greedy = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa8, ...Buffer.alloc(20)]);
    expect(frameWindowSize(greedy)).toBe(2 ** 31);
    await expect(applyLayer(chunked(greedy), root)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument, message: expect.stringMatching(/window/) });
    // The same header as the second frame of a layer, after a skippable frame, split over chunks.
    const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    rmSync(root, { recursive: true });
    mkdirSync(root);
    await expect(applyLayer(chunked(Buffer.concat([good, skippable, greedy]), 5), root)).rejects.toMatchObject({ message: expect.stringMatching(/window of 2147483648 bytes/) });
  });

  const external = (command: string, data: Buffer): Buffer => execFileSync(command, ['-c'], { input: data, maxBuffer: 1 << 30 });
  const decoderProcesses = (): string[] =>
    execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => /^(xz|bzip2) -dc/.test(line));

  it('unpacks xz and bzip2 layers (as docker load reads them) to the same diffID as the plain tar', async () => {
    const tar = await tarOf([{ name: 'etc/motd', body: 'hello '.repeat(50_000) }, { name: 'bin/x', body: Buffer.alloc(300_000, 7) }]);
    const plain = await applyLayer(chunked(tar), root);
    for (const command of ['xz', 'bzip2']) {
      rmSync(root, { recursive: true });
      mkdirSync(root);
      const result = await applyLayer(chunked(external(command, tar)), root);
      expect(result.diffId).toBe(plain.diffId);
      expect(readFileSync(join(root, 'etc/motd'), 'utf8')).toHaveLength(300_000);
    }
    expect(decoderProcesses()).toEqual([]);
  });

  it('refuses corrupt and truncated xz and bzip2 data with the decoder’s reason, and leaves no decoder behind', async () => {
    const tar = await tarOf([{ name: 'a', body: randomFill(200_000) }]);
    for (const command of ['xz', 'bzip2']) {
      const good = external(command, tar);
      await expect(applyLayer(chunked(good.subarray(0, good.length - 40)), root)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument, message: expect.stringMatching(new RegExp(`invalid ${command} data`)) });
      const corrupt = Buffer.from(good);
      corrupt.fill(0x55, 40, 200);
      await expect(applyLayer(chunked(corrupt), root)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
      // A layer over its size limit stops reading: its decoder is killed, not left waiting.
      await expect(applyLayer(chunked(good), root, { maxSize: 10_000 })).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    }
    for (let i = 0; i < 50 && decoderProcesses().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(decoderProcesses()).toEqual([]);
  });
});

function randomFill(size: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0, x = 1; i < size; i++) data[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return data;
}
