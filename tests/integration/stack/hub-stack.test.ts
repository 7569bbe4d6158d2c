import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeIntegration, Stack } from '../harness';
import { freePort } from '../registry/hub';

const answers = async (addr: string): Promise<number | undefined> => {
  try {
    const res = await fetch(`http://${addr}/v2/`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
};

const hubRow = async (stack: Stack): Promise<string[]> => {
  const status = await stack.must(['system', 'status', '--root', stack.root]);
  const row = status.split('\n').find((line) => line.startsWith('hub '));
  if (row === undefined) throw new Error(`no hub row in:\n${status}`);
  return row.trim().split(/\s+/);
};

// `system up` starts a Hub with each stack; two stacks side by side get different addresses.
describeIntegration('the Hub in system up', () => {
  const first = new Stack();
  const second = new Stack();
  let chosen = '';

  beforeAll(async () => {
    chosen = `127.0.0.1:${await freePort()}`;
    first.up();
    await second.must(['system', 'up', '--root', second.root, '--hub-addr', chosen]);
  }, 120_000);

  afterAll(() => {
    first.destroy();
    second.destroy();
  }, 120_000);

  it('gives two stacks different Hub addresses, recorded under each root, and both answer GET /v2/', async () => {
    const a = readFileSync(join(first.root, 'hub.addr'), 'utf8').trim();
    const b = readFileSync(join(second.root, 'hub.addr'), 'utf8').trim();
    expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(b).toBe(chosen);
    expect(a).not.toBe(b);
    expect(await answers(a)).toBe(401);
    expect(await answers(b)).toBe(401);
  });

  it("serves the stack's accounts (berth hub user add --root) and its webhooks through the stack's Redis", async () => {
    const addr = readFileSync(join(first.root, 'hub.addr'), 'utf8').trim();
    await first.must(['hub', 'user', 'add', 'alice', '--password-stdin', '--root', first.root], { input: 'alice-pw\n' });
    const auth = { Authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}` };
    const created = await fetch(`http://${addr}/v2/_berth/repositories/alice/app/webhooks`, { method: 'POST', headers: auth, body: JSON.stringify({ url: 'http://127.0.0.1:9/ci' }) });
    expect(created.status).toBe(201);
    expect(((await (await fetch(`http://${addr}/v2/_berth/repositories/alice/app/webhooks`, { headers: auth })).json()) as { webhooks: unknown[] }).webhooks).toHaveLength(1);
  });

  it('shows the Hub and its address in system status', async () => {
    const [name, pid, state, address] = await hubRow(first);
    expect(name).toBe('hub');
    expect(Number(pid)).toBeGreaterThan(0);
    expect(state).toBe('running');
    expect(address).toBe(readFileSync(join(first.root, 'hub.addr'), 'utf8').trim());
  });

  it('restarts a Hub that dies, on the same address', async () => {
    const addr = readFileSync(join(first.root, 'hub.addr'), 'utf8').trim();
    const pid = first.servicePid('hub');
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    // While it restarts the Hub has no pid.
    const current = (): number | undefined => {
      try {
        return first.servicePid('hub');
      } catch {
        return undefined;
      }
    };
    while (Date.now() < deadline && (current() === undefined || current() === pid || (await answers(addr)) !== 401)) await new Promise((ok) => setTimeout(ok, 200));
    expect(first.servicePid('hub')).not.toBe(pid);
    expect(await answers(addr)).toBe(401);
  }, 30_000);

  it('refuses to move a running stack\'s Hub, and keeps the address across down and up', async () => {
    const other = `127.0.0.1:${await freePort()}`;
    const moved = await second.berth(['system', 'up', '--root', second.root, '--hub-addr', other]);
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain(`running with its Hub on ${chosen}`);
    second.down();
    expect(await answers(chosen)).toBeUndefined();
    expect((await hubRow(second)).slice(1)).toEqual(['-', 'stopped', chosen]);
    second.up();
    expect(await answers(chosen)).toBe(401);
  }, 120_000);
});
