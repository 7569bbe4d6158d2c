import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCode } from '@berth/errors';
import { createRegistryHandler, MemoryDriver, Registry } from '@berth/registry';
import { RegistryClient } from '@berth/registry-client';
import { ImageStore } from './image-store';
import { rootfsTar } from './rootfs-tar.test-support';
import type { PushProgress } from './push';

// ImageStore.push to a registry (Berth's Hub, in process, without auth), and back with pull.
describe('ImageStore.push', () => {
  let dir: string;
  let server: Server;
  let host = '';
  const registry = new RegistryClient({ retries: 0 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-push-store-'));
    server = createServer(createRegistryHandler(new Registry(new MemoryDriver())));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });

  const openStore = async (name: string): Promise<ImageStore> => {
    const store = new ImageStore(join(dir, name), { registry });
    await store.open();
    return store;
  };

  it('pushes the manifest the image was made with, then skips and mounts what the registry has', async () => {
    const store = await openStore('a');
    const image = await store.import({ reference: `${host}/lib/app:v1`, message: '', changes: [] }, Readable.from([await rootfsTar({ 'bin/x': 'x' })]));
    const events: PushProgress[] = [];
    const pushed = await store.push(`${host}/lib/app:v1`, { onProgress: (e) => events.push(e) });
    expect(pushed).toMatchObject({ reference: `${host}/lib/app:v1`, imageId: image.id });
    const layer = events.filter((e) => e.type === 'layer').map((e) => (e.type === 'layer' ? e.status : ''));
    expect(layer[0]).toBe('preparing');
    expect(layer.at(-1)).toBe('pushed');
    expect((await store.get(`${host}/lib/app:v1`)).repoDigests).toContain(`${host}/lib/app@${pushed.digest}`);

    const again: PushProgress[] = [];
    expect((await store.push(`${host}/lib/app:v1`, { onProgress: (e) => again.push(e) })).digest).toBe(pushed.digest);
    expect(again.some((e) => e.type === 'layer' && e.status === 'exists')).toBe(true);

    await store.tag(`${host}/lib/app:v1`, `${host}/lib/other:v1`);
    const mounted: PushProgress[] = [];
    await store.push(`${host}/lib/other:v1`, { onProgress: (e) => mounted.push(e) });
    expect(mounted).toContainEqual(expect.objectContaining({ type: 'layer', status: 'mounted', from: 'lib/app' }));

    // Another store pulls it back: the same image, the same digest.
    const other = await openStore('b');
    const pulled = await other.pull(`${host}/lib/app:v1`);
    expect(pulled.id).toBe(image.id);
    expect(pulled.pulledDigest).toBe(pushed.digest);
  }, 30_000);

  it("refuses what docker refuses: a tag that is not here, a digest reference", async () => {
    const store = await openStore('c');
    await expect(store.push(`${host}/lib/absent`)).rejects.toMatchObject({ code: ErrorCode.NotFound, message: `An image does not exist locally with the tag: ${host}/lib/absent` });
    await expect(store.push(`${host}/lib/app@sha256:${'a'.repeat(64)}`)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
  });
});
