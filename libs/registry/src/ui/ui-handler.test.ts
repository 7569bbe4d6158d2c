import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountStore } from '../auth/accounts';
import { Authorizer } from '../auth/authorizer';
import { TokenService } from '../auth/tokens';
import { createRegistryHandler } from '../http/handler';
import { MediaType } from '../manifest-parse';
import { parseDigest } from '../names';
import { Registry } from '../registry';
import { MemoryDriver } from '../storage/memory-driver';
import { Sessions } from './session';

const HOSTILE = '<img src=x onerror=alert(1)>';

async function putBlob(registry: Registry, name: string, data: Buffer): Promise<{ digest: string; size: number; mediaType: string }> {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  await registry.blobs.putSmall(parseDigest(digest), data);
  await registry.blobs.link(name, parseDigest(digest));
  return { digest, size: data.length, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' };
}

async function putImage(registry: Registry, name: string, tag: string, arch = 'amd64'): Promise<string> {
  const layer = await putBlob(registry, name, Buffer.from(`layer of ${name} ${arch}`));
  const config = {
    created: '2026-01-02T03:04:05Z',
    os: 'linux',
    architecture: arch,
    config: { Cmd: ['sh'], Labels: { evil: HOSTILE } },
    history: [{ created: '2026-01-02T03:04:05Z', created_by: `/bin/sh -c echo ${HOSTILE}` }],
  };
  const configBlob = await putBlob(registry, name, Buffer.from(JSON.stringify(config)));
  const manifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { ...configBlob, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [layer] };
  return (await registry.putManifest(name, tag, Buffer.from(JSON.stringify(manifest)), MediaType.OciManifest)).digest;
}

describe('hub web UI and search (in process)', () => {
  // Made in beforeAll, not when the file is collected: a -t filter that skips every test here
  // runs no afterAll to remove it.
  let dir = '';
  let server: Server;
  let url = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-hub-ui-'));
    const accounts = new AccountStore(join(dir, 'accounts.json'));
    await accounts.addUser('alice', 'alice-pw');
    await accounts.addUser('bob', 'bob-pw');
    await accounts.setVisibility('alice/secret', 'private');
    const tokens = await TokenService.open(join(dir, 'key.pem'), 'berth-hub:test');
    const auth = new Authorizer({ accounts, tokens, service: 'hub.test' });
    const registry = new Registry(new MemoryDriver());
    await putImage(registry, 'alice/busybox', 'latest');
    await putImage(registry, 'alice/secret', 'v1');
    const amd = await putImage(registry, 'alice/multi', 'amd64', 'amd64');
    const arm = await putImage(registry, 'alice/multi', 'arm64', 'arm64');
    const index = {
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [amd, arm].map((digest, i) => ({ mediaType: MediaType.OciManifest, digest, size: 1, platform: { os: 'linux', architecture: i ? 'arm64' : 'amd64' } })),
    };
    // Sizes in an index's descriptors are the pusher's; the UI reports the stored ones.
    const indexBytes = Buffer.from(JSON.stringify(index));
    await registry.putManifest('alice/multi', 'latest', indexBytes, MediaType.OciIndex);
    const sessions = await Sessions.open(join(dir, 'session-key'));
    server = createServer(createRegistryHandler(registry, { auth, sessions }));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });

  const page = async (path: string, cookie?: string): Promise<{ status: number; text: string; headers: Headers }> => {
    const res = await fetch(`${url}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  const signIn = async (user: string, password: string): Promise<Response> =>
    fetch(`${url}/ui/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user, password }).toString(),
    });

  it('lists public repositories only to anonymous viewers, with a strict CSP', async () => {
    const home = await page('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    expect(home.text).toContain('alice/busybox');
    expect(home.text).not.toContain('alice/secret');
    expect((await page('/ui/repositories?q=multi')).text).not.toContain('alice/busybox');
    expect((await page('/ui/repository?name=alice%2Fsecret')).status).toBe(404);
    for (const name of ['', '..%2Fetc', 'A', 'alice%2F%2Fx', encodeURIComponent(HOSTILE)]) {
      const missing = await page(`/ui/repository?name=${name}`);
      expect(missing.status).toBe(404);
      expect(missing.text).not.toContain(HOSTILE);
      expect((await page(`/ui/image?name=${name}&ref=latest`)).status).toBe(404);
    }
  });

  it('shows tags with digest, size, created and every platform of an index', async () => {
    const repo = await page('/ui/repository?name=alice%2Fmulti');
    expect(repo.status).toBe(200);
    expect(repo.text).toMatch(/linux\/amd64<\/span>, <span class="platform">linux\/arm64/);
    expect(repo.text).toContain('2026-01-02T03:04:05Z');
    expect(repo.text).toMatch(/sha256:[0-9a-f]{64}/);
  });

  it('shows layers, history and config, escaping the pusher’s text', async () => {
    const image = await page('/ui/image?name=alice%2Fbusybox&ref=latest');
    expect(image.status).toBe(200);
    expect(image.text).toContain('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(image.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(image.text).not.toContain(HOSTILE);
    expect((await page(`/ui/image?name=alice%2Fbusybox&ref=${encodeURIComponent(HOSTILE)}`)).text).not.toContain(HOSTILE);
  });

  it('signs in with an HttpOnly SameSite=Strict cookie that shows private repositories, and out', async () => {
    const wrong = await signIn('alice', 'nope');
    expect(wrong.status).toBe(401);
    const res = await signIn('alice', 'alice-pw');
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    expect((await page('/', session)).text).toContain('alice/secret');
    expect((await page('/ui/repository?name=alice%2Fsecret', session)).status).toBe(200);
    const bob = (await signIn('bob', 'bob-pw')).headers.get('set-cookie')!.split(';')[0]!;
    expect((await page('/', bob)).text).not.toContain('alice/secret');
    const out = await fetch(`${url}/ui/sign-out`, { method: 'POST', redirect: 'manual', headers: { Cookie: session } });
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const forged = await fetch(`${url}/ui/sign-in`, { method: 'POST', headers: { Origin: 'http://evil.example' }, body: 'username=alice&password=alice-pw' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await forged.text()).toContain('cross-origin form post refused');
    expect((await fetch(`${url}/ui/repositories`, { method: 'DELETE' })).headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('answers docker search with only the repositories the caller may pull', async () => {
    const anonymous = (await (await fetch(`${url}/v1/search?q=alice&n=25`)).json()) as { results: { name: string }[]; num_results: number };
    expect(anonymous.results.map((r) => r.name)).toEqual(['alice/busybox', 'alice/multi']);
    const basic = `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`;
    const owner = (await (await fetch(`${url}/v1/search?q=secret`, { headers: { Authorization: basic } })).json()) as { results: { name: string }[] };
    expect(owner.results.map((r) => r.name)).toEqual(['alice/secret']);
    expect((await fetch(`${url}/v1/search?q=x&n=abc`)).status).toBe(400);
  });
});
