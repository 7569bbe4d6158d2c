import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { RegistryClient } from './registry-client';
import { searchRegistry } from './search';

describe('searchRegistry', () => {
  let server: Server;
  let host = '';
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  let failures = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      if (failures > 0) {
        failures -= 1;
        res.writeHead(503).end();
        return;
      }
      if (req.url?.includes('q=private') && !req.headers.authorization) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ num_results: 2, query: 'x', page: 1, num_pages: 1, page_size: 25, results: [{ name: 'a/x', description: 'd', star_count: 2, is_official: true, is_automated: false }, { bogus: 1 }, 'junk'] }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise((ok) => server.close(ok)));
  beforeEach(() => (seen.length = 0));

  const client = new RegistryClient({ retries: 2, backoffMs: 5, inactivityTimeoutMs: 1000 });

  it('asks /v1/search with q and n over plain HTTP on loopback, typing what comes back', async () => {
    const results = await searchRegistry(client, host, 'x y', 10);
    expect(seen[seen.length - 1]?.url).toBe('/v1/search?q=x+y&n=10');
    expect(results).toEqual([
      { name: 'a/x', description: 'd', starCount: 2, isOfficial: true, isAutomated: false },
    ]);
  });

  it('sends Basic credentials when given, and says unauthorized without them', async () => {
    await expect(searchRegistry(client, host, 'private', 25)).rejects.toThrow(/unauthorized/);
    await searchRegistry(client, host, 'private', 25, { username: 'alice', password: 'pw' });
    expect(seen[seen.length - 1]?.headers.authorization).toBe(`Basic ${Buffer.from('alice:pw').toString('base64')}`);
  });

  it("retries a registry's 5xx and refuses limits outside docker's range", async () => {
    failures = 2;
    expect(await searchRegistry(client, host, 'x', 1)).toHaveLength(1);
    await expect(searchRegistry(client, host, 'x', 101)).rejects.toThrow('limit 101 is outside the range of [1, 100]');
    await expect(searchRegistry(client, host, 'x', 0)).rejects.toThrow(/outside the range/);
  });
});
