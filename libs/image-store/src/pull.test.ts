import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { ErrorCode } from '@berth/errors';
import { MediaType, RegistryClient } from '@berth/registry-client';
import { FakeRegistry, sha } from '../../registry-client/src/fake-registry.test-support';
import { ImageStore } from './image-store';
import type { PullProgress } from './pull-progress';

async function tarOf(entries: Array<{ name: string; body?: string; type?: 'directory' }>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) p.entry({ name: e.name, mode: e.type ? 0o755 : 0o644, type: e.type ?? 'file' }, e.body ?? '');
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

describe('ImageStore.pull from a fake registry', () => {
  let dir: string;
  let store: ImageStore;
  let registry: FakeRegistry;
  let layers: Array<{ digest: string; size: number; diffId: string }>;
  let configDigest: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-pull-'));
    registry = new FakeRegistry();
    await registry.start();
    store = new ImageStore(dir, { registry: new RegistryClient({ retries: 1, backoffMs: 5, inactivityTimeoutMs: 500 }) });
    await store.open();
    const base = await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/motd', body: 'hello' }, { name: 'etc/gone', body: 'bye' }]);
    const top = await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/.wh.gone' }, { name: 'etc/new', body: 'new' }]);
    const baseBlob = gzipSync(base);
    layers = [
      { ...registry.putBlob(baseBlob), diffId: sha(base) },
      { ...registry.putBlob(top), diffId: sha(top) },
    ];
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }));
    configDigest = registry.putBlob(config).digest;
    registry.putManifest(
      'v1',
      {
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: { mediaType: MediaType.DockerConfig, digest: configDigest, size: config.length },
        layers: [
          { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: layers[0]!.digest, size: layers[0]!.size },
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layers[1]!.digest, size: layers[1]!.size },
        ],
      },
      MediaType.DockerManifest,
    );
  });
  afterEach(async () => {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ref = (): string => `${registry.host}/lib/app:v1`;
  const layerDirs = (): string[] => readdirSync(join(dir, 'layers')).filter((n) => !n.startsWith('.'));

  it('pulls a multi-layer image, unpacks each layer once, tags it and records the RepoDigest', async () => {
    const events: PullProgress[] = [];
    const image = await store.pull(ref(), { onProgress: (e) => events.push(e) });
    expect(image.id).toBe(configDigest);
    expect(image.repoTags).toEqual([`${registry.host}/lib/app:v1`]);
    expect(image.repoDigests).toEqual([`${registry.host}/lib/app@${image.pulledDigest}`]);
    expect(image.upToDate).toBe(false);
    expect(image.config?.cmd).toEqual(['sh']);
    expect(layerDirs()).toHaveLength(2);
    // Layers may carry setuid files and device nodes: only root reaches them.
    expect(lstatSync(join(dir, 'layers')).mode & 0o777).toBe(0o700);
    const [lower, upper] = (await store.get(ref())).diffIds;
    expect([lower, upper]).toEqual(layers.map((l) => l.diffId));
    const snap = await store.prepareSnapshot('c1', image.id);
    const lowerdirs = (snap.mounts[0]?.options ?? []).find((o) => o.startsWith('lowerdir='))!.slice('lowerdir='.length).split(':');
    expect(readFileSync(join(lowerdirs[1]!, 'etc/motd'), 'utf8')).toBe('hello');
    expect(readFileSync(join(lowerdirs[0]!, 'etc/new'), 'utf8')).toBe('new');
    expect(lstatSync(join(lowerdirs[0]!, 'etc/gone')).isCharacterDevice()).toBe(true);
    await store.removeSnapshot('c1');
    for (const l of layers) expect(existsSync(join(dir, 'blobs/sha256', l.digest.slice(7)))).toBe(true);
    const statuses = events.filter((e) => e.type === 'layer').map((e) => (e.type === 'layer' ? `${e.id}:${e.status}` : ''));
    const first = layers[0]!.digest.slice(7, 19);
    expect(statuses.filter((s) => s.startsWith(first)).map((s) => s.split(':')[1])).toEqual(expect.arrayContaining(['waiting', 'downloading', 'verifying', 'extracting', 'complete']));
    expect(events.at(-1)).toMatchObject({ type: 'done', upToDate: false, imageId: image.id });

    registry.requests.length = 0;
    const again: PullProgress[] = [];
    const second = await store.pull(ref(), { onProgress: (e) => again.push(e) });
    expect(second.upToDate).toBe(true);
    expect(again.filter((e) => e.type === 'layer').map((e) => (e.type === 'layer' ? e.status : ''))).toEqual(['exists', 'exists']);
    expect(registry.requests.filter((r) => r.includes('/blobs/'))).toEqual([]);
  });

  it('fails on a corrupted layer, keeps no image, and a retry reuses what was verified', async () => {
    const good = registry.blobs.get(layers[1]!.digest)!;
    registry.blobs.set(layers[1]!.digest, Buffer.from(good.toString('latin1').replace('new', 'bad'), 'latin1'));
    await expect(store.pull(ref(), { concurrency: 1 })).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    expect(await store.list()).toEqual([]);
    expect(readdirSync(join(dir, 'ingest'))).toEqual([]);
    expect(readdirSync(join(dir, 'layers')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    registry.blobs.set(layers[1]!.digest, good);
    registry.requests.length = 0;
    const events: PullProgress[] = [];
    await store.pull(ref(), { onProgress: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'layer' && e.status === 'exists')).toHaveLength(1);
    // The config (stored only with a finished image) and the layer that failed; not the good one.
    expect(registry.requests.filter((r) => r.includes('/blobs/')).sort()).toEqual([`GET /v2/lib/app/blobs/${configDigest}`, `GET /v2/lib/app/blobs/${layers[1]!.digest}`].sort());
  });

  it('refuses a layer whose content does not match the config diff ID', async () => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layers[0]!.diffId, sha('not it')] } }));
    const c = registry.putBlob(config);
    registry.putManifest(
      'v2',
      { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, ...c }, layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.size })) },
      MediaType.OciManifest,
    );
    await expect(store.pull(`${registry.host}/lib/app:v2`)).rejects.toMatchObject({ code: ErrorCode.DigestMismatch, message: expect.stringMatching(/image config says/) });
    expect(await store.list()).toEqual([]);
  });

  it('stops on abort with nothing visible', async () => {
    registry.misbehave.set(`/v2/lib/app/blobs/${layers[1]!.digest}`, { hang: true, afterBytes: 10 });
    const controller = new AbortController();
    const pending = store.pull(ref(), {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'layer' && e.status === 'downloading' && e.digest === layers[1]!.digest) controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.Canceled });
    expect(await store.list()).toEqual([]);
    expect(readdirSync(join(dir, 'ingest'))).toEqual([]);
  });

  // A one-layer image under `tag` whose layer blob is `blob` (the diff ID is `tar`'s).
  const putImage = (tag: string, tar: Buffer, blob: Buffer, mediaType: string): void => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(tar)] } }));
    registry.putManifest(
      tag,
      { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, ...registry.putBlob(config) }, layers: [{ mediaType, ...registry.putBlob(blob) }] },
      MediaType.OciManifest,
    );
  };
  const entries = (sub: string): string[] => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)) : []);
  const storedNothing = async (): Promise<void> => {
    expect(await store.list()).toEqual([]);
    for (const sub of ['ingest', 'blobs/sha256', 'layers']) expect(entries(sub)).toEqual([]);
  };

  it('pulls a zstd layer, decompressing it while it streams', async () => {
    const tar = await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/motd', body: 'zstd '.repeat(20_000) }]);
    putImage('zstd', tar, execFileSync('zstd', ['-q', '-c'], { input: tar }), 'application/vnd.oci.image.layer.v1.tar+zstd');
    const image = await store.pull(`${registry.host}/lib/app:zstd`);
    expect((await store.get(image.id)).diffIds).toEqual([sha(tar)]);
  });

  it('refuses unknown layer and config media types before downloading anything', async () => {
    putImage('unknown', Buffer.from('x'), Buffer.from('x'), 'application/vnd.example.layer.v1+lz4');
    await expect(store.pull(`${registry.host}/lib/app:unknown`)).rejects.toMatchObject({ code: ErrorCode.ManifestInvalid, message: expect.stringMatching(/unsupported layer media type/) });
    registry.putManifest(
      'helm',
      { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: configDigest, size: 1 }, layers: [] },
      MediaType.OciManifest,
    );
    await expect(store.pull(`${registry.host}/lib/app:helm`)).rejects.toMatchObject({ code: ErrorCode.ManifestInvalid });
    expect(registry.requests.filter((r) => r.includes('/blobs/'))).toEqual([]);
  });

  it('stops a decompression bomb at --max-layer-size and keeps nothing', async () => {
    store = new ImageStore(dir, { registry: new RegistryClient({ retries: 1, backoffMs: 5, inactivityTimeoutMs: 500 }), maxLayerSize: 1024 * 1024 });
    await store.open();
    const tar = await tarOf([{ name: 'zeros', body: '\0'.repeat(32 * 1024 * 1024) }]);
    for (const [tag, blob, type] of [
      ['gz', gzipSync(tar), 'application/vnd.oci.image.layer.v1.tar+gzip'],
      ['zst', execFileSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 26 }), 'application/vnd.oci.image.layer.v1.tar+zstd'],
    ] as const) {
      putImage(tag, tar, blob, type);
      await expect(store.pull(`${registry.host}/lib/app:${tag}`)).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
      await storedNothing();
    }
  });

  it('fails with nothing stored when a manifest, config or layer does not match its digest', async () => {
    const tar = await tarOf([{ name: 'f', body: 'data' }]);
    putImage('t', tar, tar, 'application/vnd.oci.image.layer.v1.tar');
    const manifest = registry.manifests.get('t')!;
    const parsed = JSON.parse(manifest.body.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
    const pinned = `${registry.host}/lib/app@${manifest.digestHeader!}`;
    registry.manifests.set(manifest.digestHeader!, { ...manifest, body: Buffer.concat([manifest.body, Buffer.from(' ')]) });
    await expect(store.pull(pinned)).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    await storedNothing();
    registry.manifests.set(manifest.digestHeader!, manifest);
    const config = registry.blobs.get(parsed.config.digest)!;
    registry.blobs.set(parsed.config.digest, Buffer.from(config.toString().replace('amd64', 'arm64')));
    await expect(store.pull(pinned)).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    await storedNothing();
    registry.blobs.set(parsed.config.digest, config);
    registry.blobs.set(parsed.layers[0]!.digest, Buffer.from(tar.toString('latin1').replace('data', 'DATA'), 'latin1'));
    await expect(store.pull(pinned)).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    await storedNothing();
  });

  it('retries a layer whose connection drops or stalls, then fails clearly with nothing stored', async () => {
    const big = await tarOf([{ name: 'big', body: 'y'.repeat(200_000) }]);
    putImage('flaky', big, big, 'application/vnd.oci.image.layer.v1.tar');
    const digest = sha(big);
    const path = `/v2/lib/app/blobs/${digest}`;
    registry.misbehave.set(path, { dropAfter: { bytes: 50_000, times: 1 } });
    await expect(store.pull(`${registry.host}/lib/app:flaky`)).resolves.toMatchObject({ id: expect.stringMatching(/^sha256:/) });
    expect(registry.requests.filter((r) => r === `GET ${path}`)).toHaveLength(2);
    const stalled = await tarOf([{ name: 'stalled', body: 'z'.repeat(200_000) }]);
    putImage('stall', stalled, stalled, 'application/vnd.oci.image.layer.v1.tar');
    registry.misbehave.set(`/v2/lib/app/blobs/${sha(stalled)}`, { hang: true, afterBytes: 1000 });
    const started = Date.now();
    await expect(store.pull(`${registry.host}/lib/app:stall`)).rejects.toMatchObject({ code: ErrorCode.DeadlineExceeded, message: expect.stringMatching(/gave up after 2 attempts/) });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(readdirSync(join(dir, 'ingest'))).toEqual([]);
    expect(readdirSync(join(dir, 'layers')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});
