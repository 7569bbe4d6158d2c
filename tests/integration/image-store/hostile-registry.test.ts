import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { stackLayout } from '@berth/layout';
import { MediaType } from '@berth/registry-client';
import { FakeRegistry, sha } from '../../../libs/registry-client/src/fake-registry.test-support';
import { BERTH, describeIntegration, Stack } from '../harness';
import { tarOf } from '../peer-registry';
import { imageOf } from './oci-layout';
import { zstdImage } from './zstd-image';

// What a failed pull may not leave: a queued or running job, a half-written blob or layer.
function leftovers(stack: Stack): string[] {
  const redis = (...args: string[]): string => execFileSync('redis-cli', ['-s', join(stack.root, 'run/redis.sock'), '--raw', ...args], { encoding: 'utf8' }).trim();
  const images = stackLayout(stack.root).imagesDir;
  const found = [`active jobs: ${redis('LLEN', 'bull:berth-pulls:active')}`, `waiting jobs: ${redis('LLEN', 'bull:berth-pulls:wait')}`];
  for (const dir of ['ingest', 'layers']) {
    const path = join(images, dir);
    if (existsSync(path)) found.push(...readdirSync(path).filter((n) => dir === 'ingest' || n.startsWith('.tmp-')).map((n) => `${dir}/${n}`));
  }
  return found;
}

const ENV = { BERTH_REGISTRY_TIMEOUT: '1', BERTH_MAX_DOWNLOAD_ATTEMPTS: '2', BERTH_MAX_LAYER_SIZE: '8m' };

describeIntegration('pulls from a registry that hangs, drops connections, then recovers', () => {
  const stack = new Stack();
  const registry = new FakeRegistry();
  let ref: string;
  let topPath: string;

  beforeAll(async () => {
    await registry.start();
    const image = await zstdImage('zstd through the stack');
    for (const blob of image.blobs) registry.putBlob(blob);
    registry.putManifest('v1', image.manifest, MediaType.OciManifest);
    ref = `${registry.host}/hostile/app:v1`;
    topPath = `/v2/hostile/app/blobs/${sha(image.top)}`;
    // The image store reads its registry limits from the environment system up passes on.
    const up = spawnSync(BERTH, ['system', 'up', '--root', stack.root], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...ENV } });
    if (up.status !== 0) throw new Error(`system up failed: ${up.stderr}`);
  }, 120_000);

  afterAll(async () => {
    stack.destroy();
    await registry.stop();
  }, 120_000);

  it('gives up on a registry that stops sending mid-blob, in bounded time, with no stuck job', async () => {
    registry.misbehave.set(topPath, { hang: true, afterBytes: 10 });
    const started = Date.now();
    const result = await stack.berth(['pull', ref], { timeoutMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error response from daemon: .*no data for 1s \(gave up after 2 attempts\)/m);
    expect(leftovers(stack)).toEqual(['active jobs: 0', 'waiting jobs: 0']);
  }, 60_000);

  it('retries a dropped connection, then reports it clearly', async () => {
    registry.misbehave.set(topPath, { dropAfter: { bytes: 20, times: 100 } });
    const result = await stack.berth(['pull', ref], { timeoutMs: 30_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/gave up after 2 attempts/);
    expect(registry.requests.filter((r) => r === `GET ${topPath}`).length).toBeGreaterThanOrEqual(3);
    expect(leftovers(stack)).toEqual(['active jobs: 0', 'waiting jobs: 0']);
  }, 60_000);

  it('stops a decompression bomb at --max-layer-size and keeps none of it', async () => {
    const tar = await tarOf([{ name: 'zeros', body: Buffer.alloc(64 << 20) }]);
    const bomb = imageOf([{ tar, blob: gzipSync(tar), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
    for (const blob of bomb.blobs) registry.putBlob(blob);
    registry.putManifest('bomb', bomb.manifest, MediaType.OciManifest);
    const result = await stack.berth(['pull', `${registry.host}/hostile/app:bomb`], { timeoutMs: 30_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/layer exceeds the uncompressed size limit of 8388608 bytes/);
    expect(leftovers(stack)).toEqual(['active jobs: 0', 'waiting jobs: 0']);
    for (const blob of bomb.blobs) expect(existsSync(join(stackLayout(stack.root).imagesDir, 'blobs/sha256', sha(blob).slice(7)))).toBe(false);
  }, 60_000);

  it('pulls the zstd image once the registry behaves, and runs it', async () => {
    registry.misbehave.delete(topPath);
    const result = await stack.berth(['run', '--rm', ref, 'cat', '/etc/berth-zstd'], { timeoutMs: 60_000 });
    expect(result.stdout).toBe('zstd through the stack\n');
    expect(result.code).toBe(0);
  }, 90_000);
});
