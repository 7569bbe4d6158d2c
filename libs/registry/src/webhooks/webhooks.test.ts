import { createHash, createHmac } from 'node:crypto';
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
import { Registry } from '../registry';
import { MemoryDriver } from '../storage/memory-driver';
import { DEFAULT_RETRY, retryDelayMs } from './backoff';
import { requestFor, SIGNATURE_HEADER } from './deliver';
import { type DeliveryJob, type PushEvent } from './model';
import { WebhookService } from './service';
import { checkWebhookUrl, MAX_DELIVERIES, WebhookStore } from './store';

const sha = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const EVENT: PushEvent = { event: 'push', repository: 'alice/app', tag: 'v1', digest: `sha256:${'a'.repeat(64)}`, mediaType: MediaType.OciManifest, pusher: 'alice', time: '2026-01-01T00:00:00.000Z' };

class FakeQueue {
  readonly jobs: DeliveryJob[] = [];
  async enqueue(job: DeliveryJob): Promise<void> {
    this.jobs.push(job);
  }
}

describe('retryDelayMs', () => {
  it('doubles from the base after each failed attempt, up to the cap', () => {
    const policy = { attempts: 10, baseMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(retryDelayMs(0, policy)).toBe(100);
    expect(retryDelayMs(1000, DEFAULT_RETRY)).toBe(DEFAULT_RETRY.maxMs);
  });
});

describe('webhook requests', () => {
  it('carry the event as JSON, with an HMAC-SHA256 signature when a secret is set', () => {
    const unsigned = requestFor({ id: 'h', url: 'http://127.0.0.1/x', createdAt: '' }, 'd-1', EVENT);
    expect(JSON.parse(unsigned.body)).toEqual(EVENT);
    expect(unsigned.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Berth-Event': 'push', 'X-Berth-Delivery': 'd-1' });
    expect(unsigned.headers[SIGNATURE_HEADER]).toBeUndefined();
    const signed = requestFor({ id: 'h', url: 'http://127.0.0.1/x', secret: 's3cret', createdAt: '' }, 'd-1', EVENT);
    expect(signed.headers[SIGNATURE_HEADER]).toBe(`sha256=${createHmac('sha256', 's3cret').update(signed.body).digest('hex')}`);
  });

  it('go only to http(s) URLs without credentials', () => {
    expect(checkWebhookUrl('https://ci.example/hook')).toBe('https://ci.example/hook');
    expect(checkWebhookUrl('http://127.0.0.1:8080/a?b=c')).toBe('http://127.0.0.1:8080/a?b=c');
    for (const bad of ['ftp://h/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '', 'http://u:p@h/x']) expect(() => checkWebhookUrl(bad)).toThrow();
    expect(() => checkWebhookUrl(42)).toThrow();
  });
});

describe('WebhookService', () => {
  it('stores a pending delivery per hook on a push, then records each attempt until one succeeds', async () => {
    const driver = new MemoryDriver();
    const queue = new FakeQueue();
    const answers = [500, 0, 204];
    const fetchImpl = (async () => {
      const status = answers.shift()!;
      if (status === 0) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return new Response(null, { status });
    }) as unknown as typeof fetch;
    const service = new WebhookService(driver, queue, fetchImpl);
    const hook = await service.store.add('alice/app', { url: 'http://127.0.0.1:9/hook' }, 'alice');
    await service.store.add('bob/app', { url: 'http://127.0.0.1:9/other' });
    expect(await service.onPush({ repository: 'alice/app', tag: 'v1', digest: EVENT.digest, mediaType: EVENT.mediaType, pusher: 'alice' }, new Date(EVENT.time))).toBe(1);
    expect(queue.jobs).toHaveLength(1);
    const job = queue.jobs[0]!;
    const [pending] = await service.store.deliveries('alice/app', hook.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 0, event: EVENT });

    await expect(service.deliver(job, false)).rejects.toThrow(/receiver answered 500/);
    expect((await service.store.deliveries('alice/app', hook.id))[0]).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500 });
    await expect(service.deliver(job, false)).rejects.toThrow(/ECONNREFUSED/);
    const second = (await service.store.deliveries('alice/app', hook.id))[0]!;
    expect(second).toMatchObject({ status: 'pending', attempts: 2, lastError: 'ECONNREFUSED' });
    expect(second.lastStatus).toBeUndefined();
    await service.deliver(job, false);
    expect((await service.store.deliveries('alice/app', hook.id))[0]).toMatchObject({ status: 'succeeded', attempts: 3, lastStatus: 204 });
    // A delivery already settled is not sent again.
    await service.deliver(job, false);
    expect((await service.store.deliveries('alice/app', hook.id))[0]!.attempts).toBe(3);
  });

  it('marks a delivery failed after its last attempt, and keeps a bounded history', async () => {
    const service = new WebhookService(new MemoryDriver(), new FakeQueue(), (async () => new Response('no', { status: 503 })) as unknown as typeof fetch);
    const hook = await service.store.add('alice/app', { url: 'http://127.0.0.1:9/hook' });
    const delivery = await service.store.createDelivery('alice/app', hook.id, EVENT);
    await expect(service.deliver({ repository: 'alice/app', webhookId: hook.id, deliveryId: delivery.id }, true)).rejects.toThrow();
    expect((await service.store.getDelivery('alice/app', hook.id, delivery.id))?.status).toBe('failed');
    for (let i = 0; i < MAX_DELIVERIES + 3; i++) await service.store.createDelivery('alice/app', hook.id, EVENT);
    expect(await service.store.deliveries('alice/app', hook.id)).toHaveLength(MAX_DELIVERIES);
  });

  it('refuses bad secrets and unknown hook ids', async () => {
    const store = new WebhookStore(new MemoryDriver());
    await expect(store.add('alice/app', { url: 'http://127.0.0.1/x', secret: 7 })).rejects.toThrow(/secret/);
    await expect(store.get('alice/app', '../../etc')).rejects.toThrow(/no webhook/);
    await expect(store.list('Alice/../x')).rejects.toThrow(/invalid repository name/);
  });
});

describe('the webhooks API', () => {
  // Made in beforeAll, not when the file is collected: a -t filter that skips every test here
  // runs no afterAll to remove it.
  let dir = '';
  let accounts: AccountStore;
  const queue = new FakeQueue();
  const internalErrors: unknown[] = [];
  let server: Server;
  let url = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-registry-webhooks-'));
    accounts = new AccountStore(join(dir, 'accounts.json'));
    await accounts.addUser('alice', 'alice-pw');
    await accounts.addUser('bob', 'bob-pw');
    const tokens = await TokenService.open(join(dir, 'key.pem'), 'berth-hub:test');
    const auth = new Authorizer({ accounts, tokens, service: 'hub.test' });
    const driver = new MemoryDriver();
    const webhooks = new WebhookService(driver, queue, (async () => new Response(null, { status: 200 })) as unknown as typeof fetch);
    const withHooks = createRegistryHandler(new Registry(driver), { auth, webhooks, onInternalError: (err) => internalErrors.push(err), onWebhookError: (err) => internalErrors.push(err) });
    const without = createRegistryHandler(new Registry(new MemoryDriver()), { auth, onInternalError: (err) => internalErrors.push(err) });
    server = createServer((req, res) => (req.url?.startsWith('/nohooks') ? ((req.url = req.url.slice(8)), without(req, res)) : withHooks(req, res)));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => expect(internalErrors.splice(0)).toEqual([]));

  const alice = { Authorization: basic('alice', 'alice-pw') };
  const hooksUrl = (): string => `${url}/v2/_berth/repositories/alice/app/webhooks`;

  it('lets who may push add, list, show and remove hooks; others are refused', async () => {
    expect((await fetch(hooksUrl())).status).toBe(401);
    expect((await fetch(hooksUrl(), { headers: { Authorization: basic('bob', 'bob-pw') } })).status).toBe(403);
    const bad = await fetch(hooksUrl(), { method: 'POST', headers: alice, body: JSON.stringify({ url: 'ftp://127.0.0.1/x' }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('http or https');
    expect((await fetch(hooksUrl(), { method: 'POST', headers: alice, body: '{' })).status).toBe(400);
    const created = await fetch(hooksUrl(), { method: 'POST', headers: alice, body: JSON.stringify({ url: 'http://127.0.0.1:9/ci', secret: 'k' }) });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string; url: string; signed: boolean; secret?: string; createdBy: string };
    expect(hook).toMatchObject({ url: 'http://127.0.0.1:9/ci', signed: true, createdBy: 'alice' });
    expect(hook.secret).toBeUndefined();
    expect(created.headers.get('location')).toBe(`/v2/_berth/repositories/alice/app/webhooks/${hook.id}`);
    expect(await (await fetch(hooksUrl(), { headers: alice })).json()).toEqual({ webhooks: [hook] });
    expect(await (await fetch(`${hooksUrl()}/${hook.id}`, { headers: alice })).json()).toEqual(hook);
    expect(await (await fetch(`${hooksUrl()}/${hook.id}/deliveries`, { headers: alice })).json()).toEqual({ deliveries: [] });
    expect((await fetch(`${hooksUrl()}/${hook.id}`, { method: 'DELETE', headers: alice })).status).toBe(204);
    expect((await fetch(`${hooksUrl()}/${hook.id}`, { headers: alice })).status).toBe(404);
  });

  it('queues a delivery when a manifest is pushed by tag, not by digest', async () => {
    const created = await fetch(hooksUrl(), { method: 'POST', headers: alice, body: JSON.stringify({ url: 'http://127.0.0.1:9/ci' }) });
    const hook = (await created.json()) as { id: string };
    const config = Buffer.from('{}');
    expect((await fetch(`${url}/v2/alice/app/blobs/uploads/?digest=${sha(config)}`, { method: 'POST', headers: alice, body: config })).status).toBe(201);
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length }, layers: [] });
    const put = (ref: string): Promise<Response> => fetch(`${url}/v2/alice/app/manifests/${ref}`, { method: 'PUT', headers: { ...alice, 'Content-Type': MediaType.OciManifest }, body: manifest });
    expect((await put(sha(manifest))).status).toBe(201);
    expect((await put('v2')).status).toBe(201);
    const deadline = Date.now() + 2000;
    while (queue.jobs.length === 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 10));
    expect(queue.jobs).toEqual([{ repository: 'alice/app', webhookId: hook.id, deliveryId: expect.any(String) as unknown }]);
    const { deliveries } = (await (await fetch(`${hooksUrl()}/${hook.id}/deliveries`, { headers: alice })).json()) as { deliveries: { status: string; event: PushEvent }[] };
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 'pending', event: { event: 'push', repository: 'alice/app', tag: 'v2', digest: sha(manifest), mediaType: MediaType.OciManifest, pusher: 'alice' } });
  });

  it('answers UNSUPPORTED when the Hub has no queue', async () => {
    const res = await fetch(`${url}/nohooks/v2/_berth/repositories/alice/app/webhooks`, { headers: alice });
    expect(res.status).toBe(405);
    expect(JSON.stringify(await res.json())).toContain('UNSUPPORTED');
  });
});

describe('the webhooks page of the web UI', () => {
  it('lists a repository\'s hooks and their deliveries, escaped, and hides them from who may not push', async () => {
    const driver = new MemoryDriver();
    const webhooks = new WebhookService(driver, new FakeQueue());
    const registry = new Registry(driver);
    const hook = await webhooks.store.add('alice/app', { url: 'http://127.0.0.1:9/ci?a=1&b=2', secret: 's' }, 'alice');
    await webhooks.store.createDelivery('alice/app', hook.id, EVENT);
    const dir = mkdtempSync(join(tmpdir(), 'berth-registry-webhooks-ui-'));
    const accounts = new AccountStore(join(dir, 'accounts.json'));
    const auth = new Authorizer({ accounts, tokens: await TokenService.open(join(dir, 'key.pem'), 'berth-hub:test'), service: 'hub.test' });
    const open = createRegistryHandler(registry, { webhooks });
    const closed = createRegistryHandler(registry, { webhooks, auth });
    const server = createServer((req, res) => (req.url?.startsWith('/closed') ? ((req.url = req.url.slice(7)), closed(req, res)) : open(req, res)));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const page = await fetch(`${base}/ui/webhooks?name=alice/app`);
      expect(page.status).toBe(200);
      const body = await page.text();
      expect(body).toContain('http://127.0.0.1:9/ci?a=1&amp;b=2');
      expect(body).not.toContain('a=1&b=2');
      expect(body).toContain('status-pending');
      expect(body).toContain(EVENT.digest);
      expect((await fetch(`${base}/closed/ui/webhooks?name=alice/app`)).status).toBe(404);
      expect((await fetch(`${base}/ui/webhooks?name=../x`)).status).toBe(404);
    } finally {
      await new Promise((ok) => server.close(ok));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
