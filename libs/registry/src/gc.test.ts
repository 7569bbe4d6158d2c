import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { collectGarbage, storageUsage } from './gc';
import { MediaType } from './manifest-parse';
import { parseDigest } from './names';
import { blobPath } from './paths';
import { Registry } from './registry';
import { MemoryDriver } from './storage/memory-driver';

const sha = (data: string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const HOUR = 3600_000;
// A collection run as if every object were two hours old, with a one-hour grace period.
const later = { graceMs: HOUR, now: new Date(Date.now() + 2 * HOUR) };

describe('garbage collection', () => {
  let driver: MemoryDriver;
  let registry: Registry;
  beforeEach(() => {
    driver = new MemoryDriver();
    registry = new Registry(driver);
  });

  const blob = async (name: string, data: string): Promise<string> => {
    const upload = await registry.blobs.startUpload(name);
    await registry.blobs.append(name, upload.id, Readable.from([Buffer.from(data)]));
    await registry.blobs.finish(name, upload.id, parseDigest(sha(data)));
    return sha(data);
  };
  const image = async (name: string, reference: string, layer: string): Promise<string> => {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await blob(name, '{}'), size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await blob(name, layer), size: layer.length }],
    });
    return (await registry.putManifest(name, reference, Buffer.from(manifest), MediaType.OciManifest)).digest;
  };
  const exists = async (digest: string): Promise<boolean> => (await driver.stat(blobPath(parseDigest(digest)))) !== undefined;

  it('removes untagged manifests and their unshared blobs, keeps what tags reach', async () => {
    const kept = await image('a/app', 'v1', 'layer-kept');
    const dropped = await image('a/app', 'v2', 'layer-dropped');
    await image('b/app', 'v1', 'layer-dropped');
    await registry.deleteManifest('a/app', 'v2');
    await registry.deleteManifest('b/app', 'v1');
    await image('c/app', 'v1', 'layer-shared');
    await image('d/app', 'v1', 'layer-shared');
    await registry.deleteManifest('d/app', 'v1');
    const report = await collectGarbage(driver, later);
    // b/app's manifest is a/app's v2, byte for byte; d/app's is c/app's, which stays.
    expect(report).toMatchObject({ manifests: 3, blobs: 2 });
    expect(await exists(kept)).toBe(true);
    expect(await exists(dropped)).toBe(false);
    expect(await exists(sha('layer-dropped'))).toBe(false);
    expect(await exists(sha('layer-kept'))).toBe(true);
    expect(await exists(sha('layer-shared'))).toBe(true);
    expect(await exists(sha('{}'))).toBe(true);
    expect((await registry.getManifest('a/app', 'v1')).digest).toBe(kept);
    await expect(registry.getManifest('a/app', dropped)).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    // A second run finds nothing more.
    expect(await collectGarbage(driver, later)).toEqual({ manifests: 0, layerLinks: 0, blobs: 0, bytes: 0 });
  });

  it('keeps the children of a tagged index and the referrers of kept manifests', async () => {
    const child = await image('m/app', 'child', 'layer-child');
    await registry.deleteManifest('m/app', 'child');
    const childBytes = (await registry.getManifest('m/app', child)).bytes;
    const index = JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ mediaType: MediaType.OciManifest, digest: child, size: childBytes.length }] });
    await registry.putManifest('m/app', 'multi', Buffer.from(index), MediaType.OciIndex);
    const signature = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType: 'application/example.sig',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: await blob('m/app', '{}'), size: 2 },
      layers: [{ mediaType: 'application/example.sig', digest: await blob('m/app', 'sig'), size: 3 }],
      subject: { mediaType: MediaType.OciManifest, digest: child, size: childBytes.length },
    });
    const sig = await registry.putManifest('m/app', sha(signature), Buffer.from(signature), MediaType.OciManifest);
    expect(await collectGarbage(driver, later)).toMatchObject({ manifests: 0, blobs: 0 });
    expect(await exists(child)).toBe(true);
    expect(await exists(sig.digest)).toBe(true);
    expect(await exists(sha('layer-child'))).toBe(true);
    expect(await exists(sha('sig'))).toBe(true);
  });

  it('spares everything younger than the grace period: pushes and uploads in flight', async () => {
    // Blobs uploaded, manifest not yet pushed; an untagged child manifest; an upload half done.
    await blob('p/app', 'pushed-before-manifest');
    const untagged = await image('p/app', 'tmp', 'layer-young');
    await registry.deleteManifest('p/app', 'tmp');
    const upload = await registry.blobs.startUpload('p/app');
    await registry.blobs.append('p/app', upload.id, Readable.from([Buffer.from('half')]));
    expect(await collectGarbage(driver, { graceMs: HOUR })).toEqual({ manifests: 0, layerLinks: 0, blobs: 0, bytes: 0 });
    expect(await exists(sha('pushed-before-manifest'))).toBe(true);
    expect(await exists(untagged)).toBe(true);
    expect((await registry.blobs.getUpload('p/app', upload.id)).size).toBe(4);
    // Even later, an upload in progress is not GC's to remove (uploads are purged on their own).
    await collectGarbage(driver, later);
    expect((await registry.blobs.getUpload('p/app', upload.id)).size).toBe(4);
    expect(await exists(sha('pushed-before-manifest'))).toBe(false);
  });

  it('reports storage use per repository', async () => {
    await image('u/one', 'v1', 'twelve bytes');
    await image('u/one', 'v2', 'x');
    const usage = await storageUsage(driver);
    const one = usage.find((u) => u.name === 'u/one')!;
    expect(one).toMatchObject({ tags: 2, manifests: 2, blobs: 3 });
    const manifests = (await registry.getManifest('u/one', 'v1')).size + (await registry.getManifest('u/one', 'v2')).size;
    expect(one.bytes).toBe(manifests + 2 + 12 + 1);
  });
});
