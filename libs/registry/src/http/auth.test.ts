import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { AccountStore } from '../auth/accounts';
import { Authorizer } from '../auth/authorizer';
import { TokenService } from '../auth/tokens';
import { MediaType } from '../manifest-parse';
import { Registry } from '../registry';
import { MemoryDriver } from '../storage/memory-driver';
import { createRegistryHandler } from './handler';

const sha = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const SERVICE = 'hub.test';

describe('registry auth (accounts, Basic, the token flow)', () => {
  // Made in beforeAll, not when the file is collected: a -t filter that skips every test here
  // runs no afterAll to remove it.
  let dir = '';
  let accounts: AccountStore;
  const internalErrors: unknown[] = [];
  let server: Server;
  let url = '';
  let tokens: TokenService;
  let anonymousPush = false;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-registry-auth-'));
    accounts = new AccountStore(join(dir, 'accounts.json'));
    await accounts.addUser('alice', 'alice-pw');
    await accounts.addUser('bob', 'bob-pw');
    await accounts.addOrg('acme');
    await accounts.setMember('acme', 'bob', true);
    tokens = await TokenService.open(join(dir, 'key.pem'), 'berth-hub:test');
    const auth = new Authorizer({ accounts, tokens, service: SERVICE });
    const open = new Authorizer({ accounts, tokens, service: SERVICE, allowAnonymousPush: true });
    const registry = new Registry(new MemoryDriver());
    const handlers = {
      closed: createRegistryHandler(registry, { auth, onInternalError: (err) => internalErrors.push(err) }),
      open: createRegistryHandler(registry, { auth: open, onInternalError: (err) => internalErrors.push(err) }),
    };
    server = createServer((req, res) => (anonymousPush ? handlers.open : handlers.closed)(req, res));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    anonymousPush = false;
    expect(internalErrors.splice(0)).toEqual([]);
  });

  const code = async (res: Response): Promise<string> => ((await res.json()) as { errors: { code: string }[] }).errors[0]!.code;
  const token = async (auth: string | undefined, ...scopes: string[]): Promise<string> => {
    const query = new URLSearchParams([['service', SERVICE], ...scopes.map((s): [string, string] => ['scope', s])]);
    const res = await fetch(`${url}/token?${query}`, { headers: auth ? { Authorization: auth } : {} });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const bearer = (t: string): string => `Bearer ${t}`;

  // Pushes a one-layer image with `auth`; returns the status of the first refused step (or 201).
  const push = async (name: string, tag: string, auth?: string, layer = `layer of ${name}`): Promise<{ status: number; res: Response }> => {
    const headers: Record<string, string> = auth ? { Authorization: auth } : {};
    const blobs = ['{}', layer];
    for (const data of blobs) {
      const res = await fetch(`${url}/v2/${name}/blobs/uploads/?digest=${sha(data)}`, { method: 'POST', body: data, headers });
      if (res.status !== 201) return { status: res.status, res };
    }
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    });
    const res = await fetch(`${url}/v2/${name}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { ...headers, 'Content-Type': MediaType.OciManifest } });
    return { status: res.status, res };
  };

  it('challenges anonymous callers of /v2/ with the token realm and service', async () => {
    const res = await fetch(`${url}/v2/`);
    expect(res.status).toBe(401);
    expect(await code(res)).toBe('UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${url}/token",service="${SERVICE}"`);
    expect((await fetch(`${url}/v2/`, { headers: { Authorization: basic('alice', 'alice-pw') } })).status).toBe(200);
    expect((await fetch(`${url}/v2/`, { headers: { Authorization: bearer(await token(basic('alice', 'alice-pw'))) } })).status).toBe(200);
  });

  it('refuses wrong passwords and unknown users, at the API and at /token', async () => {
    for (const auth of [basic('alice', 'nope'), basic('mallory', 'x'), 'Basic !!!', 'Digest abc']) {
      const res = await fetch(`${url}/v2/`, { headers: { Authorization: auth } });
      expect(res.status).toBe(401);
      expect(await code(res)).toBe('UNAUTHORIZED');
      expect((await fetch(`${url}/token?service=${SERVICE}`, { headers: { Authorization: auth } })).status).toBe(401);
    }
  });

  it('lets only the namespace owner push, anyone pull a public repository', async () => {
    expect((await push('alice/app', 'v1', basic('alice', 'alice-pw'))).status).toBe(201);
    const anonymous = await push('alice/app', 'v2');
    expect(anonymous.status).toBe(401);
    expect(anonymous.res.headers.get('www-authenticate')).toBe(`Bearer realm="${url}/token",service="${SERVICE}",scope="repository:alice/app:pull,push"`);
    const bob = await push('alice/app', 'v2', basic('bob', 'bob-pw'));
    expect(bob.status).toBe(403);
    expect(await code(bob.res)).toBe('DENIED');
    expect((await push('nobody/app', 'v1', basic('alice', 'alice-pw'))).status).toBe(403);
    const pulled = await fetch(`${url}/v2/alice/app/manifests/v1`, { headers: { Accept: MediaType.OciManifest } });
    expect(pulled.status).toBe(200);
    expect((await fetch(`${url}/v2/alice/app/tags/list`)).status).toBe(200);
  });

  it('lets organisation members push to the organisation, and no one else', async () => {
    expect((await push('acme/api', 'v1', basic('bob', 'bob-pw'))).status).toBe(201);
    expect((await push('acme/api', 'v1', basic('alice', 'alice-pw'))).status).toBe(403);
    await accounts.setMember('acme', 'alice', true);
    expect((await push('acme/api', 'v2', basic('alice', 'alice-pw'))).status).toBe(201);
    await accounts.setMember('acme', 'alice', false);
    expect((await push('acme/api', 'v3', basic('alice', 'alice-pw'))).status).toBe(403);
  });

  it('issues tokens with only the granted actions, and honours exactly those', async () => {
    const scope = 'repository:alice/tok:pull,push';
    const alice = await token(basic('alice', 'alice-pw'), scope, 'repository:bob/x:pull,push');
    expect(decodeJwt(alice)).toMatchObject({
      sub: 'alice',
      aud: SERVICE,
      access: [
        { type: 'repository', name: 'alice/tok', actions: ['pull', 'push'] },
        { type: 'repository', name: 'bob/x', actions: ['pull'] },
      ],
    });
    expect((await push('alice/tok', 'v1', bearer(alice))).status).toBe(201);
    // bob may only pull alice's public repository.
    const bob = await token(basic('bob', 'bob-pw'), scope);
    expect(decodeJwt(bob).access).toEqual([{ type: 'repository', name: 'alice/tok', actions: ['pull'] }]);
    expect((await fetch(`${url}/v2/alice/tok/manifests/v1`, { headers: { Authorization: bearer(bob) } })).status).toBe(200);
    const denied = await push('alice/tok', 'v2', bearer(bob));
    expect(denied.status).toBe(403);
    // Anonymous tokens carry public pulls only; pushing asks for credentials.
    const anon = await token(undefined, scope);
    expect(decodeJwt(anon).access).toEqual([{ type: 'repository', name: 'alice/tok', actions: ['pull'] }]);
    expect((await push('alice/tok', 'v2', bearer(anon))).status).toBe(401);
    // A token for one repository is not good for another: a new token is needed (401).
    const other = await push('alice/other', 'v1', bearer(alice));
    expect(other.status).toBe(401);
    expect(other.res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    // A forged or foreign token is refused outright.
    const foreign = await (await TokenService.open(join(dir, 'foreign.pem'), tokens.issuer)).issue('alice', SERVICE, decodeJwt(alice).access as never);
    expect((await fetch(`${url}/v2/alice/tok/tags/list`, { headers: { Authorization: bearer(foreign.token) } })).status).toBe(401);
  });

  it('hides private repositories from everyone but their owners, in the API and the catalog', async () => {
    expect((await push('alice/secret', 'v1', basic('alice', 'alice-pw'))).status).toBe(201);
    await accounts.setVisibility('alice/secret', 'private');
    expect((await fetch(`${url}/v2/alice/secret/manifests/v1`)).status).toBe(401);
    const bob = await fetch(`${url}/v2/alice/secret/manifests/v1`, { headers: { Authorization: basic('bob', 'bob-pw') } });
    expect(bob.status).toBe(403);
    expect((await fetch(`${url}/v2/alice/secret/manifests/v1`, { headers: { Authorization: basic('alice', 'alice-pw'), Accept: MediaType.OciManifest } })).status).toBe(200);
    expect(decodeJwt(await token(basic('bob', 'bob-pw'), 'repository:alice/secret:pull')).access).toEqual([]);
    expect(decodeJwt(await token(basic('alice', 'alice-pw'), 'repository:../etc:pull', 'repository:Alice/x:push')).access).toEqual([]);
    const catalog = async (auth?: string): Promise<string[]> =>
      ((await (await fetch(`${url}/v2/_catalog`, { headers: auth ? { Authorization: auth } : {} })).json()) as { repositories: string[] }).repositories;
    expect(await catalog()).not.toContain('alice/secret');
    expect(await catalog(basic('bob', 'bob-pw'))).not.toContain('alice/secret');
    expect(await catalog(basic('alice', 'alice-pw'))).toContain('alice/secret');
    const usage = async (auth?: string): Promise<string[]> =>
      ((await (await fetch(`${url}/v2/_berth/usage`, { headers: auth ? { Authorization: auth } : {} })).json()) as { repositories: { name: string }[] }).repositories.map((r) => r.name);
    expect(await usage()).not.toContain('alice/secret');
    expect(await usage(basic('alice', 'alice-pw'))).toContain('alice/secret');
    // A blob bob may not pull is not mounted for him: he gets a plain upload instead.
    const mount = await fetch(`${url}/v2/acme/api/blobs/uploads/?mount=${sha('layer of alice/secret')}&from=alice/secret`, { method: 'POST', headers: { Authorization: basic('bob', 'bob-pw') } });
    expect(mount.status).toBe(202);
    await accounts.setVisibility('alice/secret', 'public');
  });

  it('allows anonymous pushes only when configured to', async () => {
    anonymousPush = true;
    expect((await fetch(`${url}/v2/`)).status).toBe(200);
    expect((await push('dev/app', 'v1')).status).toBe(201);
  });
});
