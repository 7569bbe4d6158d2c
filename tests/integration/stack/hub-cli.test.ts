import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BERTH } from '../harness';
import { describeIf, freePort, registryAppSkipReason, waitForRegistry } from '../registry/hub';

const berth = (args: string[], input = ''): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(BERTH, args, { input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

// `berth hub ...`: the CLI runs the Hub app in the foreground, for serving and for accounts.
describeIf('berth hub serve|user|org', registryAppSkipReason(), () => {
  // Made in beforeAll, not when the file is collected: a skipped suite runs no afterAll.
  let root = '';
  beforeAll(() => {
    root = mkdtempSync('/tmp/berth-it-hubcli-');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('manages users and organisations on the Hub storage', () => {
    expect(berth(['hub', 'user', 'add', 'alice', '--password-stdin', '--root', root], 'pw-1\n')).toMatchObject({ code: 0, stdout: 'user alice added\n' });
    expect(berth(['hub', 'user', 'add', 'bob', '--password-stdin', '--root', root], 'pw-2\n').code).toBe(0);
    expect(berth(['hub', 'org', 'create', 'acme', '--root', root]).code).toBe(0);
    expect(berth(['hub', 'org', 'add-member', 'acme', 'alice', '--root', root]).code).toBe(0);
    expect(berth(['hub', 'org', 'ls', '--root', root]).stdout).toMatch(/^ORGANISATION +CREATED +MEMBERS\nacme +\S+ +alice\n$/);
    expect(berth(['hub', 'org', 'rm-member', 'acme', 'alice', '--root', root]).code).toBe(0);
    expect(berth(['hub', 'user', 'passwd', 'bob', '--password-stdin', '--root', root], 'pw-3\n').code).toBe(0);
    expect(berth(['hub', 'user', 'rm', 'bob', '--root', root]).code).toBe(0);
    expect(berth(['hub', 'user', 'ls', '--root', root]).stdout).toMatch(/^USER +CREATED +ORGANISATIONS\nalice +\S+\n$/);
    expect(berth(['hub', 'org', 'rm', 'acme', '--root', root]).code).toBe(0);
  });

  it('refuses bad use with an error and a non-zero status', () => {
    expect(berth(['hub', 'user', 'rm', '--root', root])).toMatchObject({ code: 1, stderr: expect.stringContaining("'berth hub user rm' requires 1 argument") as unknown });
    expect(berth(['hub', 'user', 'add', 'carol', '--root', root])).toMatchObject({ code: 1, stderr: expect.stringContaining('--password-stdin') as unknown });
    expect(berth(['hub', 'user', 'rm', 'nobody', '--root', root])).toMatchObject({ code: 1, stderr: expect.stringContaining('user nobody not found') as unknown });
    expect(berth(['hub', 'serve', '--addr', 'nonsense', '--root', root])).toMatchObject({ code: 1, stderr: expect.stringContaining('invalid --addr') as unknown });
  });

  it('serves with a config file whose settings flags override, and stops cleanly on SIGTERM', async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    const config = join(root, 'hub.yaml');
    writeFileSync(config, `addr: 127.0.0.1:1\nroot: ${root}\nallowAnonymousPush: true\n`);
    const child = spawn(BERTH, ['hub', 'serve', '--config', config, '--addr', addr], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    try {
      await waitForRegistry(addr);
      // Anonymous push (from the file) answers /v2/ without a challenge.
      expect((await fetch(`http://${addr}/v2/`)).status).toBe(200);
      expect(stderr).toContain(`serving ${join(root, 'registry')} on ${addr} (anonymous push allowed)`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('shutting down');
  });

  it('passes a bad config file up as an error', () => {
    const config = join(root, 'bad.yaml');
    writeFileSync(config, 'adr: 127.0.0.1:5000\n');
    expect(berth(['hub', 'serve', '--config', config])).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown setting "adr"') as unknown });
  });
});
