import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describeIf, Hub, registryAppSkipReason } from './hub';

const sha = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const redisSkipReason = (): string | undefined =>
  registryAppSkipReason() ?? (spawnSync('sh', ['-c', 'command -v redis-server']).status === 0 ? undefined : 'redis-server is not installed (run tools/setup.sh)');

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const waitFor = async (check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return check();
};

// A push to the Hub POSTs an event to the repository's webhooks through the Redis queue; a
// receiver that fails at first gets the event again, with backoff, until it takes it.
describeIf('Hub webhooks with a real Redis', redisSkipReason(), () => {
  // Made in beforeAll, not when the file is collected: a skipped suite runs no afterAll.
  let dir = '';
  let socket = '';
  let redis: ChildProcess;
  let receiver: Server;
  let receiverUrl = '';
  const received: Received[] = [];
  let failuresLeft = 2;
  let hub: Hub;
  const bare = new Hub();
  const alice = { Authorization: basic('alice', 'alice-pw') };

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/berth-it-webhook-');
    socket = join(dir, 'redis.sock');
    hub = new Hub({ args: ['--redis', socket] });
    redis = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    if (!(await waitFor(() => existsSync(socket), 10_000))) throw new Error('redis-server did not start');
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(failuresLeft-- > 0 ? 500 : 200).end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ci`;
    hub.admin(['user', 'add', 'alice', '--password-stdin'], 'alice-pw');
    bare.admin(['user', 'add', 'alice', '--password-stdin'], 'alice-pw');
    await hub.start();
    await bare.start();
  }, 30_000);

  afterAll(async () => {
    await hub.stop('SIGTERM');
    await hub.remove();
    await bare.remove();
    await new Promise((ok) => receiver.close(ok));
    if (redis.exitCode === null) {
      const exited = new Promise((ok) => redis.once('exit', ok));
      redis.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('delivers a signed push event, retried until the receiver takes it, with the delivery status in the API', async () => {
    const hooks = `http://${hub.addr}/v2/_berth/repositories/alice/app/webhooks`;
    const created = await fetch(hooks, { method: 'POST', headers: alice, body: JSON.stringify({ url: receiverUrl, secret: 'ci-secret' }) });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string };

    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    expect((await fetch(`http://${hub.addr}/v2/alice/app/blobs/uploads/?digest=${sha(config)}`, { method: 'POST', headers: alice, body: config })).status).toBe(201);
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length }, layers: [] });
    const put = await fetch(`http://${hub.addr}/v2/alice/app/manifests/v1`, { method: 'PUT', headers: { ...alice, 'Content-Type': OCI_MANIFEST }, body: manifest });
    expect(put.status).toBe(201);

    // Attempts at once, after 1 s and after 2 s more.
    const deliveries = async (): Promise<{ status: string; attempts: number; lastStatus?: number }[]> =>
      ((await (await fetch(`${hooks}/${hook.id}/deliveries`, { headers: alice })).json()) as { deliveries: { status: string; attempts: number; lastStatus?: number }[] }).deliveries;
    expect(await waitFor(async () => (await deliveries())[0]?.status === 'succeeded', 20_000)).toBe(true);
    expect(await deliveries()).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 3, lastStatus: 200 })]);

    expect(received).toHaveLength(3);
    const event = JSON.parse(received[2]!.body) as Record<string, unknown>;
    expect(event).toEqual({ event: 'push', repository: 'alice/app', tag: 'v1', digest: sha(manifest), mediaType: OCI_MANIFEST, pusher: 'alice', time: expect.any(String) as unknown });
    for (const { headers, body } of received) {
      expect(headers['content-type']).toBe('application/json');
      expect(headers['x-berth-signature-256']).toBe(`sha256=${createHmac('sha256', 'ci-secret').update(body).digest('hex')}`);
    }
    expect(new Set(received.map((r) => r.headers['x-berth-delivery'])).size).toBe(1);
  }, 40_000);

  it('without Redis, says webhooks are disabled and answers UNSUPPORTED', async () => {
    expect(bare.stderr).toContain('webhooks disabled: no --redis given');
    const res = await fetch(`http://${bare.addr}/v2/_berth/repositories/alice/app/webhooks`, { headers: alice });
    expect(res.status).toBe(405);
    expect(((await res.json()) as { errors: { code: string; message: string }[] }).errors[0]).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('--redis') as unknown });
  });
});
