import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@berth/errors';
import { bodyChunks, httpGet } from './http-get';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

async function listen(handler: (path: string, res: ServerResponse) => void, seen: Seen[]): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    handler(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString();
}

describe('httpGet', () => {
  const seenA: Seen[] = [];
  const seenB: Seen[] = [];
  let a: { server: Server; base: string };
  let b: { server: Server; base: string };

  beforeAll(async () => {
    // B plays a blob store a registry redirects to (as S3 or a CDN does).
    b = await listen((path, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Served-By': 'b' });
      res.end(`blob at ${path}`);
    }, seenB);
    a = await listen((path, res) => {
      if (path === '/away') return void res.writeHead(307, { Location: `${b.base}/data` }).end();
      if (path === '/here') return void res.writeHead(302, { Location: '/final' }).end();
      if (path.startsWith('/loop')) return void res.writeHead(301, { Location: `/loop${path.length}` }).end();
      if (path === '/missing') return void res.writeHead(404, 'Not Found', { 'Content-Type': 'application/json' }).end('{"errors":[]}');
      if (path === '/stall') return void res.writeHead(200, { 'Content-Length': '100' }).write('partial');
      res.writeHead(200, { 'Docker-Content-Digest': 'sha256:abc' });
      res.end(`body of ${path}`);
    }, seenA);
  });

  afterAll(async () => {
    for (const { server } of [a, b]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  beforeEach(() => {
    seenA.length = 0;
    seenB.length = 0;
  });

  const get = (url: string, method: 'GET' | 'HEAD' = 'GET', signal = new AbortController().signal) =>
    httpGet(url, { method, headers: { Authorization: 'Bearer secret', 'User-Agent': 'test' }, signal });

  it('answers with status, headers and the body, as a stream and as chunks', async () => {
    const res = await get(`${a.base}/plain`);
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('docker-content-digest')).toBe('sha256:abc');
    expect(await readAll(bodyChunks(res))).toBe('body of /plain');
    expect(await new Response((await get(`${a.base}/again`)).body).text()).toBe('body of /again');
  });

  it('keeps Authorization on a redirect within the origin', async () => {
    const res = await get(`${a.base}/here`);
    expect(await readAll(bodyChunks(res))).toBe('body of /final');
    expect(seenA.map((s) => [s.path, s.headers.authorization])).toEqual([
      ['/here', 'Bearer secret'],
      ['/final', 'Bearer secret'],
    ]);
  });

  it('drops Authorization on a redirect to another origin, keeping the other headers', async () => {
    const res = await get(`${a.base}/away`);
    expect(res.headers.get('x-served-by')).toBe('b');
    expect(await readAll(bodyChunks(res))).toBe('blob at /data');
    expect(seenB).toHaveLength(1);
    expect(seenB[0]?.headers.authorization).toBeUndefined();
    expect(seenB[0]?.headers['user-agent']).toBe('test');
  });

  it('gives up after 20 redirects', async () => {
    await expect(get(`${a.base}/loop`)).rejects.toMatchObject({ code: ErrorCode.Unavailable, message: expect.stringContaining('more than 20 redirects') });
    expect(seenA).toHaveLength(21);
  });

  it('passes errors on as answers, and HEAD has no body', async () => {
    const missing = await get(`${a.base}/missing`);
    expect([missing.status, missing.statusText, missing.ok]).toEqual([404, 'Not Found', false]);
    expect(await readAll(bodyChunks(missing))).toBe('{"errors":[]}');
    const head = await get(`${a.base}/plain`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });

  it('ends a body mid-way when its signal aborts', async () => {
    const controller = new AbortController();
    const res = await get(`${a.base}/stall`, 'GET', controller.signal);
    const reading = readAll(bodyChunks(res));
    controller.abort();
    await expect(reading).rejects.toThrow();
  });

  it('refuses addresses that are not http or https', async () => {
    await expect(get('ftp://127.0.0.1/x')).rejects.toMatchObject({ code: ErrorCode.Unavailable });
  });
});
