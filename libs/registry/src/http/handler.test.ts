import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaType } from '../manifest-parse';
import { Registry, type RegistryOptions } from '../registry';
import { type StorageDriver } from '../storage/driver';
import { FsDriver } from '../storage/fs-driver';
import { MemoryDriver } from '../storage/memory-driver';
import { createRegistryHandler } from './handler';

const sha = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

interface Hub {
  url: string;
  driver: StorageDriver;
  restart(): Promise<void>;
  close(): Promise<void>;
}

// What the handler reported as its own failures; every test expects none.
const internalErrors: unknown[] = [];

async function serve(driver: StorageDriver, options: Partial<RegistryOptions> = {}): Promise<{ server: Server; url: string }> {
  const server = createServer(createRegistryHandler(new Registry(driver, options), { onInternalError: (err) => internalErrors.push(err) }));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function startHub(backend: 'fs' | 'memory', options: Partial<RegistryOptions> = {}): Promise<Hub> {
  const dir = backend === 'fs' ? mkdtempSync(join(tmpdir(), 'berth-registry-http-')) : undefined;
  const driver = dir ? new FsDriver(dir) : new MemoryDriver();
  let { server, url } = await serve(driver, options);
  const stop = (): Promise<void> =>
    new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return {
    get url() {
      return url;
    },
    driver,
    // A new Registry over the same storage: nothing survives but what the storage holds.
    async restart() {
      await stop();
      ({ server, url } = await serve(driver, options));
    },
    async close() {
      await stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { errors: { code: string }[] };
  return body.errors[0]!.code;
}

// A raw request, for paths fetch would normalize and bodies cut short.
function raw(url: string, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe.each(['fs', 'memory'] as const)('registry HTTP API (%s backend)', (backend) => {
  let hub: Hub;
  beforeEach(async () => {
    hub = await startHub(backend);
  });
  afterEach(async () => {
    await hub.close();
    expect(internalErrors.splice(0)).toEqual([]);
  });

  const pushBlob = async (name: string, data: Buffer | string): Promise<string> => {
    const digest = sha(data);
    const res = await fetch(`${hub.url}/v2/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data });
    expect(res.status).toBe(201);
    return digest;
  };

  const pushImage = async (name: string, tag: string, layer = 'layer'): Promise<{ manifest: Buffer; digest: string }> => {
    const config = await pushBlob(name, '{}');
    const layerDigest = await pushBlob(name, layer);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
      }),
    );
    const res = await fetch(`${hub.url}/v2/${name}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': MediaType.OciManifest } });
    expect(res.status).toBe(201);
    return { manifest, digest: sha(manifest) };
  };

  it('answers the base endpoint with the API version', async () => {
    const res = await fetch(`${hub.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('stores a monolithic upload and serves it whole and by range', async () => {
    const digest = await pushBlob('lib/app', '0123456789');
    const head = await fetch(`${hub.url}/v2/lib/app/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10');
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    expect(await (await fetch(`${hub.url}/v2/lib/app/blobs/${digest}`)).text()).toBe('0123456789');
    const part = await fetch(`${hub.url}/v2/lib/app/blobs/${digest}`, { headers: { Range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await part.text()).toBe('234');
    const bad = await fetch(`${hub.url}/v2/lib/app/blobs/${digest}`, { headers: { Range: 'bytes=20-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */10');
    // Content-addressed but visible per repository.
    expect((await fetch(`${hub.url}/v2/other/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
    const missing = await fetch(`${hub.url}/v2/lib/app/blobs/${sha('nope')}`);
    expect(missing.status).toBe(404);
    expect(await errorCode(missing)).toBe('BLOB_UNKNOWN');
    expect((await fetch(`${hub.url}/v2/lib/app/blobs/${digest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(`${hub.url}/v2/lib/app/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('takes chunked uploads in order, reports progress and refuses a bad range with 416', async () => {
    const start = await fetch(`${hub.url}/v2/lib/app/blobs/uploads/`, { method: 'POST' });
    expect(start.status).toBe(202);
    const location = start.headers.get('location')!;
    const uuid = start.headers.get('docker-upload-uuid')!;
    expect(location).toBe(`/v2/lib/app/blobs/uploads/${uuid}`);
    expect(start.headers.get('range')).toBe('0-0');
    const first = await fetch(`${hub.url}${location}`, { method: 'PATCH', body: 'hello ', headers: { 'Content-Range': '0-5', 'Content-Type': 'application/octet-stream' } });
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-5');
    const outOfOrder = await fetch(`${hub.url}${location}`, { method: 'PATCH', body: 'xx', headers: { 'Content-Range': '10-11' } });
    expect(outOfOrder.status).toBe(416);
    expect(outOfOrder.headers.get('range')).toBe('0-5');
    const status = await fetch(`${hub.url}${location}`);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-5');
    expect(status.headers.get('docker-upload-uuid')).toBe(uuid);
    const second = await fetch(`${hub.url}${location}`, { method: 'PATCH', body: 'world', headers: { 'Content-Range': '6-10' } });
    expect(second.headers.get('range')).toBe('0-10');
    const done = await fetch(`${hub.url}${location}?digest=${sha('hello world!')}`, { method: 'PUT', body: '!' });
    expect(done.status).toBe(201);
    expect(done.headers.get('location')).toBe(`/v2/lib/app/blobs/${sha('hello world!')}`);
    expect(await (await fetch(`${hub.url}/v2/lib/app/blobs/${sha('hello world!')}`)).text()).toBe('hello world!');
    expect((await fetch(`${hub.url}${location}`)).status).toBe(404);
  });

  it('cancels uploads and keeps them per repository', async () => {
    const start = await fetch(`${hub.url}/v2/lib/app/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location')!;
    const elsewhere = await fetch(`${hub.url}${location.replace('lib/app', 'lib/other')}`);
    expect(await errorCode(elsewhere)).toBe('BLOB_UPLOAD_UNKNOWN');
    expect((await fetch(`${hub.url}${location}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await fetch(`${hub.url}${location}`);
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('BLOB_UPLOAD_UNKNOWN');
    expect(await errorCode(await fetch(`${hub.url}/v2/lib/app/blobs/uploads/../../x`))).toBeDefined();
  });

  it('refuses bytes that do not match the digest and stores nothing', async () => {
    const res = await fetch(`${hub.url}/v2/lib/app/blobs/uploads/?digest=${sha('good')}`, { method: 'POST', body: 'evil' });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('DIGEST_INVALID');
    const start = await fetch(`${hub.url}/v2/lib/app/blobs/uploads/`, { method: 'POST' });
    const put = await fetch(`${hub.url}${start.headers.get('location')}?digest=${sha('good')}`, { method: 'PUT', body: 'evil' });
    expect(await errorCode(put)).toBe('DIGEST_INVALID');
    const noDigest = await fetch(`${hub.url}/v2/lib/app/blobs/uploads/?digest=sha256:123`, { method: 'POST', body: 'x' });
    expect(await errorCode(noDigest)).toBe('DIGEST_INVALID');
    expect(await hub.driver.list('blobs/sha256')).toEqual([]);
    expect(await hub.driver.list('uploads')).toEqual([]);
  });

  it('mounts a blob from another repository, or falls back to an upload', async () => {
    const digest = await pushBlob('team/a', 'shared');
    const mounted = await fetch(`${hub.url}/v2/team/b/blobs/uploads/?mount=${digest}&from=team/a`, { method: 'POST' });
    expect(mounted.status).toBe(201);
    expect(mounted.headers.get('location')).toBe(`/v2/team/b/blobs/${digest}`);
    expect((await fetch(`${hub.url}/v2/team/b/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
    for (const from of ['team/c', 'Not/Valid']) {
      const fallback = await fetch(`${hub.url}/v2/team/d/blobs/uploads/?mount=${digest}&from=${from}`, { method: 'POST' });
      expect(fallback.status).toBe(202);
      expect(fallback.headers.get('docker-upload-uuid')).toBeTruthy();
    }
  });

  it('stores manifests by tag and digest with their type, digest and location', async () => {
    const { manifest, digest } = await pushImage('lib/app', 'v1');
    for (const ref of ['v1', digest]) {
      const res = await fetch(`${hub.url}/v2/lib/app/manifests/${ref}`, { headers: { Accept: MediaType.OciManifest } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(MediaType.OciManifest);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(manifest);
    }
    const head = await fetch(`${hub.url}/v2/lib/app/manifests/v1`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(manifest.length));
    const byDigest = await fetch(`${hub.url}/v2/lib/app/manifests/${digest}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': MediaType.OciManifest } });
    expect(byDigest.status).toBe(201);
    expect(byDigest.headers.get('location')).toBe(`/v2/lib/app/manifests/${digest}`);
    const wrongDigest = await fetch(`${hub.url}/v2/lib/app/manifests/${sha('x')}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': MediaType.OciManifest } });
    expect(await errorCode(wrongDigest)).toBe('DIGEST_INVALID');
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ mediaType: MediaType.OciManifest, digest, size: manifest.length }] }));
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/multi`, { method: 'PUT', body: index, headers: { 'Content-Type': MediaType.OciIndex } })).status).toBe(201);
    const unknown = await fetch(`${hub.url}/v2/lib/app/manifests/nope`);
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe('MANIFEST_UNKNOWN');
    expect(await errorCode(await fetch(`${hub.url}/v2/lib/none/manifests/v1`))).toBe('NAME_UNKNOWN');
  });

  it('refuses manifests with missing blobs or children, ambiguous, malformed or oversized ones', async () => {
    const { manifest } = await pushImage('lib/app', 'v1');
    const put = (body: string | Buffer, type: string = MediaType.OciManifest, tag = 'bad'): Promise<Response> =>
      fetch(`${hub.url}/v2/lib/app/manifests/${tag}`, { method: 'PUT', body, headers: { 'Content-Type': type } });
    const parsed = JSON.parse(manifest.toString()) as { layers: { digest: string }[] };
    parsed.layers[0]!.digest = sha('missing layer');
    const missingBlob = await put(JSON.stringify(parsed));
    expect(missingBlob.status).toBe(404);
    expect(await errorCode(missingBlob)).toBe('MANIFEST_BLOB_UNKNOWN');
    const missingChild = await put(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ mediaType: MediaType.OciManifest, digest: sha('no'), size: 1 }] }), MediaType.OciIndex);
    expect(await errorCode(missingChild)).toBe('MANIFEST_BLOB_UNKNOWN');
    const ambiguous = await put(JSON.stringify({ ...JSON.parse(manifest.toString()), manifests: [] }));
    expect(ambiguous.status).toBe(400);
    expect(await errorCode(ambiguous)).toBe('MANIFEST_INVALID');
    expect(await errorCode(await put(manifest, MediaType.DockerManifest))).toBe('MANIFEST_INVALID');
    expect(await errorCode(await put('{"schemaVersion":2,'))).toBe('MANIFEST_INVALID');
    expect(await errorCode(await put(manifest, MediaType.OciManifest, 'bad!tag'))).toBe('MANIFEST_INVALID');
    const huge = await put(Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
    expect(huge.status).toBe(413);
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/bad`)).status).toBe(404);
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/v1`)).status).toBe(200);
  });

  it('deletes tags and manifests', async () => {
    const { digest } = await pushImage('lib/app', 'v1');
    await fetch(`${hub.url}/v2/lib/app/manifests/${digest}`, { method: 'PUT', body: (await (await fetch(`${hub.url}/v2/lib/app/manifests/v1`)).arrayBuffer()), headers: { 'Content-Type': MediaType.OciManifest } });
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/v1`, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/v1`)).status).toBe(404);
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/${digest}`)).status).toBe(200);
    await pushImage('lib/app', 'v2');
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/v2`)).status).toBe(404);
    expect((await fetch(`${hub.url}/v2/lib/app/manifests/${digest}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('pages tags and the catalog with Link headers', async () => {
    for (const tag of ['c', 'a', 'b', 'd']) await pushImage('lib/app', tag);
    await pushImage('zeta/x', 'v1');
    const first = await fetch(`${hub.url}/v2/lib/app/tags/list?n=2`);
    expect(await first.json()).toEqual({ name: 'lib/app', tags: ['a', 'b'] });
    expect(first.headers.get('link')).toBe('</v2/lib/app/tags/list?n=2&last=b>; rel="next"');
    const next = await fetch(`${hub.url}/v2/lib/app/tags/list?n=2&last=b`);
    expect(await next.json()).toEqual({ name: 'lib/app', tags: ['c', 'd'] });
    expect(next.headers.get('link')).toBeNull();
    expect(await (await fetch(`${hub.url}/v2/lib/app/tags/list`)).json()).toEqual({ name: 'lib/app', tags: ['a', 'b', 'c', 'd'] });
    expect(await (await fetch(`${hub.url}/v2/_catalog?n=10000000`)).json()).toEqual({ repositories: ['lib/app', 'zeta/x'] });
    const catalog = await fetch(`${hub.url}/v2/_catalog?n=1`);
    expect(await catalog.json()).toEqual({ repositories: ['lib/app'] });
    expect(catalog.headers.get('link')).toBe(`</v2/_catalog?n=1&last=${encodeURIComponent('lib/app')}>; rel="next"`);
    expect((await fetch(`${hub.url}/v2/_catalog?n=-1`)).status).toBe(400);
    expect(await errorCode(await fetch(`${hub.url}/v2/lib/none/tags/list`))).toBe('NAME_UNKNOWN');
  });

  it('lists referrers, filtered by artifact type', async () => {
    const { manifest, digest } = await pushImage('lib/app', 'v1');
    const empty = await pushBlob('lib/app', '{}');
    const artifact = (type: string): Buffer =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.OciManifest,
          artifactType: type,
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
          layers: [],
          subject: { mediaType: MediaType.OciManifest, digest, size: manifest.length },
          annotations: { 'org.example': type },
        }),
      );
    for (const type of ['application/x-sbom', 'application/x-signature']) {
      const body = artifact(type);
      const res = await fetch(`${hub.url}/v2/lib/app/manifests/${sha(body)}`, { method: 'PUT', body, headers: { 'Content-Type': MediaType.OciManifest } });
      expect(res.status).toBe(201);
      expect(res.headers.get('oci-subject')).toBe(digest);
    }
    const all = await fetch(`${hub.url}/v2/lib/app/referrers/${digest}`);
    expect(all.headers.get('content-type')).toBe(MediaType.OciIndex);
    const index = (await all.json()) as { manifests: { artifactType: string; annotations: Record<string, string> }[] };
    expect(index.manifests.map((m) => m.artifactType).sort()).toEqual(['application/x-sbom', 'application/x-signature']);
    const filtered = await fetch(`${hub.url}/v2/lib/app/referrers/${digest}?artifactType=application/x-sbom`);
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(((await filtered.json()) as { manifests: unknown[] }).manifests).toHaveLength(1);
    expect((await (await fetch(`${hub.url}/v2/lib/app/referrers/${sha('none')}`)).json())).toMatchObject({ manifests: [] });
    expect((await fetch(`${hub.url}/v2/lib/app/referrers/sha256:bad`)).status).toBe(400);
  });

  it('refuses invalid names and unsupported methods', async () => {
    for (const path of ['/v2/a/../b/tags/list', '/v2/Upper/tags/list', '/v2/a%2fb/tags/list', '/v2/a//b/manifests/x']) {
      const res = await raw(hub.url, 'GET', path);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ errors: [{ code: 'NAME_INVALID' }] });
    }
    const res = await fetch(`${hub.url}/v2/lib/app/tags/list`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(await errorCode(res)).toBe('UNSUPPORTED');
  });

  it('keeps what a client sent before it went away as a resumable upload, across a restart', async () => {
    const data = Buffer.alloc(3 << 20, 7);
    const start = await fetch(`${hub.url}/v2/lib/app/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location')!;
    await new Promise<void>((ok) => {
      const req = request(`${hub.url}${location}`, { method: 'PATCH', headers: { 'Content-Length': data.length } });
      req.on('error', () => ok());
      req.write(data.subarray(0, 1 << 20), () => setTimeout(() => (req.destroy(), ok()), 200));
    });
    let offset = -1;
    for (let i = 0; i < 50 && offset < 0; i++) {
      await new Promise((ok) => setTimeout(ok, 50));
      const status = await fetch(`${hub.url}${location}`);
      const range = status.headers.get('range')!;
      const size = Number(range.split('-')[1]) + 1;
      // Settled once the server noticed the cut and stopped writing.
      if (size > 1 && size === Number((await fetch(`${hub.url}${location}`)).headers.get('range')!.split('-')[1]) + 1) offset = size;
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(1 << 20);
    expect(await hub.driver.list('blobs')).toEqual([]);
    await hub.restart();
    const rest = await fetch(`${hub.url}${location}`, { method: 'PATCH', body: data.subarray(offset), headers: { 'Content-Range': `${offset}-${data.length - 1}` } });
    expect(rest.status).toBe(202);
    const done = await fetch(`${hub.url}${location}?digest=${sha(data)}`, { method: 'PUT' });
    expect(done.status).toBe(201);
    // Buffer.equals: jest's deep equality is slow on megabytes.
    expect(Buffer.from(await (await fetch(`${hub.url}/v2/lib/app/blobs/${sha(data)}`)).arrayBuffer()).equals(data)).toBe(true);
  });

  it('purges abandoned uploads', async () => {
    await fetch(`${hub.url}/v2/lib/app/blobs/uploads/`, { method: 'POST' });
    const registry = new Registry(hub.driver);
    expect(await registry.blobs.purgeUploads(new Date(Date.now() - 60_000))).toBe(0);
    expect(await registry.blobs.purgeUploads(new Date(Date.now() + 1000))).toBe(1);
    expect(await hub.driver.list('uploads')).toEqual([]);
  });
});

describe('registry HTTP API limits', () => {
  it('refuses a blob over the size limit and bounds pages', async () => {
    const hub = await startHub('memory', { maxBlobSize: 10, maxPageSize: 2 });
    try {
      const res = await fetch(`${hub.url}/v2/a/blobs/uploads/?digest=${sha('x'.repeat(11))}`, { method: 'POST', body: 'x'.repeat(11) });
      expect(res.status).toBe(413);
      expect(await errorCode(res)).toBe('SIZE_INVALID');
      for (const name of ['a', 'b', 'c']) await fetch(`${hub.url}/v2/${name}/blobs/uploads/?digest=${sha('y')}`, { method: 'POST', body: 'y' });
      const page = await fetch(`${hub.url}/v2/_catalog?n=10000000`);
      expect(await page.json()).toEqual({ repositories: ['a', 'b'] });
      expect(page.headers.get('link')).toBe('</v2/_catalog?n=2&last=b>; rel="next"');
    } finally {
      await hub.close();
    }
  });
});
