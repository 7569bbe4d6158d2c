import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerReadableStream } from '@grpc/grpc-js';
import { notFound } from '@berth/errors';
import { clientStream, serverStream } from '@berth/grpc-kit';
import type { daemon } from '@berth/proto';
import { berth, FakeDaemon, testIO } from '../__fixtures__/fake-daemon';

describe('save, load and export against a fake daemon', () => {
  const fake = new FakeDaemon();
  const saved: string[][] = [];
  let loadedBytes = 0;
  let dir: string;

  beforeAll(() =>
    fake.start({
      saveImages: serverStream(async ({ references }: daemon.SaveImagesRequest, call) => {
        saved.push(references);
        call.write({ data: Buffer.from('first-') });
        if (references.includes('broken')) throw notFound('blob sha256:x is missing from the content store');
        call.write({ data: Buffer.from('second') });
      }),
      exportContainer: serverStream(async ({ id }: daemon.ContainerRef, call) => {
        if (id !== 'box') throw notFound(`No such container: ${id}`);
        call.write({ data: Buffer.from('rootfs') });
      }),
      loadImages: clientStream(async (call: ServerReadableStream<daemon.ArchiveChunk, daemon.LoadImagesResponse>): Promise<daemon.LoadImagesResponse> => {
        for await (const chunk of call as AsyncIterable<daemon.ArchiveChunk>) loadedBytes += chunk.data.length;
        return {
          images: [
            { id: 'sha256:aaa', repoTags: ['a:1', 'b:2'], replaced: { 'b:2': 'sha256:old' } },
            { id: 'sha256:bbb', repoTags: [], replaced: {} },
          ],
        };
      }),
    }),
  );
  afterAll(() => fake.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-cli-archive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('save -o writes the archive to the file, whole, with no temporary left', async () => {
    const file = join(dir, 'out.tar');
    expect(await berth(fake.host, ['save', '-o', file, 'a:1', 'b'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(file, 'utf8')).toBe('first-second');
    expect(saved.at(-1)).toEqual(['a:1', 'b']);
    expect(readdirSync(dir)).toEqual(['out.tar']);
  });

  it('save to stdout, and image save', async () => {
    expect((await berth(fake.host, ['image', 'save', 'a:1'])).stdout).toBe('first-second');
  });

  it('a failure mid-archive leaves no file and exits 1', async () => {
    const file = join(dir, 'out.tar');
    const result = await berth(fake.host, ['save', '-o', file, 'broken']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is missing from the content store');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a terminal on stdout before asking the daemon', async () => {
    const io = testIO(fake.host);
    Object.assign(io.stdout, { isTTY: true });
    const before = saved.length;
    const result = await berth(fake.host, ['save', 'a:1'], { io });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    expect(saved.length).toBe(before);
  });

  it('export writes the container filesystem; a missing directory or container fails', async () => {
    const file = join(dir, 'fs.tar');
    expect((await berth(fake.host, ['export', '-o', file, 'box'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('rootfs');
    expect((await berth(fake.host, ['container', 'export', 'box'])).stdout).toBe('rootfs');
    const badDir = await berth(fake.host, ['export', '-o', join(dir, 'no/such.tar'), 'box']);
    expect(badDir.code).toBe(1);
    expect(badDir.stderr).toContain(`invalid output path: directory "${join(dir, 'no')}" does not exist`);
    const missing = await berth(fake.host, ['export', '-o', join(dir, 'x.tar'), 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such container: nope');
    expect(existsSync(join(dir, 'x.tar'))).toBe(false);
  });

  it('load streams stdin and prints what docker prints', async () => {
    loadedBytes = 0;
    const result = await berth(fake.host, ['load', '-q'], { input: 'x'.repeat(100_000) });
    expect(result.code).toBe(0);
    expect(loadedBytes).toBe(100_000);
    expect(result.stdout).toBe(
      'Loaded image: a:1\nThe image b:2 already exists, renaming the old one with ID sha256:old to empty string\nLoaded image: b:2\nLoaded image ID: sha256:bbb\n',
    );
  });

  it('load refuses a terminal on stdin and a missing file', async () => {
    const io = testIO(fake.host);
    Object.assign(io.stdin, { isTTY: true });
    const tty = await berth(fake.host, ['load'], { io });
    expect(tty.code).toBe(1);
    expect(tty.stderr).toContain('requested load from stdin, but stdin is empty');
    const missing = await berth(fake.host, ['image', 'load', '-i', join(dir, 'absent.tar')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`open ${join(dir, 'absent.tar')}: no such file or directory`);
  });
});
