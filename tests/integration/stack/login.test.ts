import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BERTH, busyboxTar, integrationSkipReason, ScratchBerthConfig, Stack } from '../harness';
import { describeIf, Hub, registryAppSkipReason } from '../registry/hub';

describeIf('berth login, logout and pushes and pulls that need credentials', integrationSkipReason() ?? registryAppSkipReason(), () => {
  const stack = new Stack();
  const hub = new Hub();
  const config = new ScratchBerthConfig();
  let image = '';

  beforeAll(async () => {
    config.use();
    hub.admin(['user', 'add', 'alice', '--password-stdin'], 's3cret-pw');
    await hub.start();
    stack.up();
    image = `${hub.addr}/alice/app:v1`;
    await stack.must(['import', busyboxTar(), image]);
  }, 120_000);

  afterAll(async () => {
    stack.destroy();
    await hub.remove();
    config.restore();
  }, 120_000);

  it('refuses a push without credentials', async () => {
    const denied = await stack.berth(['push', image]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe('unauthorized: authentication required\n');
  });

  it('refuses a wrong password and stores nothing', async () => {
    const wrong = await stack.berth(['login', '-u', 'alice', '--password-stdin', hub.addr], { input: 'nope\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('Error response from daemon: unauthorized: incorrect username or password\n');
    expect(() => statSync(join(config.dir, 'config.json'))).toThrow();
  });

  it("logs in, keeps the credentials in docker's format (0600, dir 0700, other keys kept), and pushes", async () => {
    const dir = config.dir;
    const login = await stack.berth(['login', '-u', 'alice', '--password-stdin', hub.addr], { input: 's3cret-pw\n' });
    expect(login.stderr).toBe('');
    expect(login.stdout).toBe('Login Succeeded\n');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(stored.auths[hub.addr]?.auth).toBe(Buffer.from('alice:s3cret-pw').toString('base64'));

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...stored, psFormat: 'table {{.ID}}' }));
    const pushed = await stack.berth(['push', image]);
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout).toMatch(/^[0-9a-f]{12}: Pushed$/m);
    expect(pushed.stdout).toMatch(/^v1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    // The credentials never reach a log.
    for (const log of readdirSync(join(stack.root, 'logs'))) expect(readFileSync(join(stack.root, 'logs', log), 'utf8')).not.toContain('s3cret-pw');

    // A private repository: pulls need the credentials too.
    hub.admin(['repo', 'visibility', 'alice/app', 'private']);
    await stack.must(['rmi', image]);
    const pulled = await stack.berth(['pull', image]);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);

    const logout = await stack.must(['logout', hub.addr]);
    expect(logout).toBe(`Removing login credentials for ${hub.addr}\n`);
    const after = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(after).toEqual({ auths: {}, psFormat: 'table {{.ID}}' });
    expect(await stack.must(['logout', hub.addr])).toBe(`Not logged in to ${hub.addr}\n`);

    await stack.must(['rmi', image]);
    const anonymous = await stack.berth(['pull', image]);
    expect(anonymous.code).toBe(1);
  });

  it('prompts on a terminal, echoing the username but never the password', async () => {
    const command = `stty cols 90 rows 25; exec '${BERTH}' login '${hub.addr}'`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, BERTH_HOST: stack.host, TERM: 'xterm' } });
    let screen = '';
    child.stdout.on('data', (data: Buffer) => (screen += data.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const waitFor = async (text: string): Promise<void> => {
      for (const deadline = Date.now() + 10_000; !screen.includes(text); await new Promise((ok) => setTimeout(ok, 50))) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} on ${JSON.stringify(screen)}`);
      }
    };
    await waitFor('Username: ');
    child.stdin.write('alice\r');
    await waitFor('Password: ');
    child.stdin.write('s3cret-pw\r');
    expect(await exited).toBe(0);
    expect(screen).toContain('Username: alice');
    expect(screen).toContain('Login Succeeded');
    expect(screen).not.toContain('s3cret-pw');
    expect(await stack.must(['logout', hub.addr])).toBe(`Removing login credentials for ${hub.addr}\n`);
  });

  it('checks its flags as docker login does', async () => {
    const noUser = await stack.berth(['login', '--password-stdin', hub.addr], { input: 'x\n' });
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).toBe('Must provide --username with --password-stdin\n');
    const both = await stack.berth(['login', '-u', 'alice', '-p', 'x', '--password-stdin', hub.addr]);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe('--password and --password-stdin are mutually exclusive\n');
    const noTty = await stack.berth(['login', hub.addr]);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toBe('Error: Cannot perform an interactive login from a non TTY device\n');
  });
});
