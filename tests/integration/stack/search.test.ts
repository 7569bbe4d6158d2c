import { spawnSync } from 'node:child_process';
import { busyboxTar, integrationSkipReason, ScratchBerthConfig, Stack } from '../harness';
import { describeIf, Hub, itIf, peerSkipReason, registryAppSkipReason } from '../registry/hub';

// `berth search HUB/TERM` through a stack: the CLI asks the daemon, the daemon asks the Hub.
describeIf('berth search against a Hub on 127.0.0.1', integrationSkipReason() ?? registryAppSkipReason(), () => {
  const stack = new Stack();
  const hub = new Hub();
  const config = new ScratchBerthConfig();

  beforeAll(async () => {
    config.use();
    hub.admin(['user', 'add', 'alice', '--password-stdin'], 'search-pw');
    hub.admin(['repo', 'visibility', 'alice/secret-app', 'private']);
    await hub.start();
    stack.up();
    await stack.must(['login', '-u', 'alice', '--password-stdin', hub.addr], { input: 'search-pw\n' });
    for (const repo of ['alice/app', 'alice/secret-app', 'alice/tools']) {
      await stack.must(['import', busyboxTar(), `${hub.addr}/${repo}:v1`]);
      await stack.must(['push', `${hub.addr}/${repo}:v1`]);
    }
  }, 180_000);

  afterAll(async () => {
    stack.destroy();
    await hub.remove();
    config.restore();
  }, 120_000);

  it("lists matching repositories in docker's columns, private ones with the stored login", async () => {
    const found = await stack.berth(['search', `${hub.addr}/app`]);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
    const lines = found.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['alice/app', 'alice/secret-app']);
    expect(lines[1]).toMatch(/^alice\/app +0 +$/);
  });

  it('--limit, --filter and --format', async () => {
    expect(await stack.must(['search', '--limit', '1', '--format', '{{.Name}}', `${hub.addr}/alice`])).toBe('alice/app\n');
    expect(await stack.must(['search', '--filter', 'stars=1', '--format', '{{.Name}}', `${hub.addr}/alice`])).toBe('');
    expect(await stack.must(['search', '--filter', 'is-official=false', '--format', '{{.Name}}:{{.StarCount}}', `${hub.addr}/tools`])).toBe('alice/tools:0\n');
    const bad = await stack.berth(['search', '--limit', '101', `${hub.addr}/alice`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('Error response from daemon: limit 101 is outside the range of [1, 100]\n');
    const filter = await stack.berth(['search', '--filter', 'color=red', `${hub.addr}/alice`]);
    expect(filter.stderr).toBe("Error response from daemon: invalid filter 'color'\n");
  });

  it('shows anonymous callers only public repositories', async () => {
    await stack.must(['logout', hub.addr]);
    expect(await stack.must(['search', '--format', '{{.Name}}', `${hub.addr}/app`])).toBe('alice/app\n');
  });

  // Docker's own client and daemon against the same Hub print what berth prints.
  itIf('matches docker search, table and json', peerSkipReason('docker'), async () => {
    for (const args of [[], ['--format', 'json'], ['--format', '{{.Name}} {{.IsOfficial}}|{{.StarCount}}']]) {
      const term = `${hub.addr}/alice`;
      const docker = spawnSync('docker', ['search', ...args, term], { encoding: 'utf8', timeout: 60_000 });
      expect(docker.status).toBe(0);
      expect(await stack.must(['search', ...args, term])).toBe(docker.stdout);
    }
  });
});
