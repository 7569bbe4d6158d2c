import { invalidArgument } from '@berth/errors';
import { unary } from '@berth/grpc-kit';
import type { daemon } from '@berth/proto';
import { berth, FakeDaemon } from '../__fixtures__/fake-daemon';

const LONG = 'A very long description that docker cuts at forty-five characters\nwith a newline';

describe('berth search against a fake daemon', () => {
  const fake = new FakeDaemon();
  const requests: daemon.SearchImagesRequest[] = [];

  beforeAll(() =>
    fake.start({
      searchImages: unary(async (request: daemon.SearchImagesRequest) => {
        requests.push(request);
        if (request.filters.includes('bogus=1')) throw invalidArgument("invalid filter 'bogus'");
        return {
          results: [
            { name: 'alice/busybox', description: LONG, starCount: 3, isOfficial: true, isAutomated: false },
            { name: 'alice/app', description: '', starCount: 0, isOfficial: false, isAutomated: false },
          ],
        };
      }),
    }),
  );
  afterAll(() => fake.stop());
  beforeEach(() => (requests.length = 0));

  it("prints docker's columns, truncating descriptions to 45 characters", async () => {
    const run = await berth(fake.host, ['search', '127.0.0.1:5000/alice']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
    expect(lines[1]).toMatch(/^alice\/busybox\s+A very long description that docker cuts at …\s+3\s+\[OK\]$/);
    expect(lines[2]).toMatch(/^alice\/app +0 {9}$/);
    expect(requests[0]).toMatchObject({ term: '127.0.0.1:5000/alice', limit: 0, filters: [] });
  });

  it('passes --limit and --filter; --no-trunc and --format print whole values', async () => {
    const run = await berth(fake.host, ['search', '--limit', '5', '--filter', 'is-official=true', '--filter', 'stars=2', '--no-trunc', '--format', '{{.Name}}: {{.Description}}', 'x']);
    expect(run.stdout).toBe(`alice/busybox: ${LONG.replace('\n', ' ')}\nalice/app: \n`);
    expect(requests[0]).toMatchObject({ limit: 5, filters: ['is-official=true', 'stars=2'] });
    const json = await berth(fake.host, ['search', '--format', 'json', 'x']);
    expect(json.stdout.split('\n')[0]).toBe(`{"Description":"${LONG.slice(0, 44).replace('\n', ' ')}…","IsOfficial":"true","Name":"alice/busybox","StarCount":"3"}`);
    expect((await berth(fake.host, ['search', '--format', '{{.IsOfficial}}|{{.StarCount}}', 'x'])).stdout).toBe('[OK]|3\n|0\n');
    expect(json.stdout.split('\n')[1]).toBe('{"Description":"","IsOfficial":"false","Name":"alice/app","StarCount":"0"}');
  });

  it("refuses a missing term and reports the daemon's filter errors", async () => {
    const none = await berth(fake.host, ['search']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/'berth search' requires 1 argument\n/);
    const bad = await berth(fake.host, ['search', '--filter', 'bogus=1', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Error response from daemon: invalid filter 'bogus'/);
    expect((await berth(fake.host, ['search', '--filter', 'nonsense', 'x'])).stderr).toMatch(/bad format of filter/);
  });
});
