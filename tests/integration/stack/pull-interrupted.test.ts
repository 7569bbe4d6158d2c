import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { integrationSkipReason, Stack } from '../harness';
import { peersSkipReason, pushTestImage, REGISTRY } from '../peer-registry';

const reason = integrationSkipReason() ?? peersSkipReason();
const describePeers = reason ? describe.skip : describe;
if (reason) process.stderr.write(`SKIPPED integration suite "pulls interrupted": ${reason}\n`);

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describePeers(`pulls interrupted by a dying daemon, Redis or client${reason ? ` (SKIPPED: ${reason})` : ''}`, () => {
  const stack = new Stack();
  const tag = `t${Date.now()}`;
  const images = { daemon: '', redis: '', client: '' };
  const layers: Record<keyof typeof images, string[]> = { daemon: [], redis: [], client: [] };
  let dir: string;
  const redis = (...args: string[]): string => execFileSync('redis-cli', ['-s', join(stack.root, 'run/redis.sock'), '--raw', ...args], { encoding: 'utf8' }).trim();
  const jobsLeft = (): boolean => redis('LLEN', 'bull:berth-pulls:active') === '0' && redis('LLEN', 'bull:berth-pulls:wait') === '0';
  const answers = async (): Promise<boolean> => (await stack.berth(['version'], { timeoutMs: 5_000 })).code === 0;
  const listed = async (ref: string): Promise<boolean> => (await stack.must(['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n').includes(ref);

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/berth-it-pull-interrupted-');
    for (const key of Object.keys(images) as Array<keyof typeof images>) {
      images[key] = `${REGISTRY}/berth-it/interrupted-${key}:${tag}`;
      layers[key] = await pushTestImage(join(dir, key), images[key], key, 160 << 20);
    }
    stack.up();
  }, 240_000);

  afterAll(() => {
    stack.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('SIGKILL of the daemon: pulling again joins the job still under way and finishes', async () => {
    const [, small = '', bulk = ''] = layers.daemon;
    let killed = false;
    const first = await stack.watch(['pull', images.daemon], (stdout) => {
      if (!killed && stdout.includes(`${small}: Pull complete`) && !stdout.includes(`${bulk}: Pull complete`)) {
        killed = true;
        process.kill(stack.servicePid('daemon'), 'SIGKILL');
      }
    });
    expect(killed).toBe(true);
    expect(first.code).not.toBe(0);
    await until('the daemon to be back', answers);
    const again = await stack.berth(['pull', images.daemon]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    // The job went on in the image store: this pull joins it (its replay shows the small layer
    // done), or finds its layers kept, or the image already whole.
    expect(again.stdout).toMatch(new RegExp(`${small}: (Already exists|Pull complete)|Status: Image is up to date`));
    expect((await stack.must(['run', '--rm', images.daemon, 'cat', '/etc/berth-pulled'])).trim()).toBe('daemon');
    await until('no pull job left', jobsLeft);
  }, 180_000);

  it('SIGKILL of Redis: pulling again finishes, reusing the verified layers', async () => {
    const [, small = '', bulk = ''] = layers.redis;
    let killed = false;
    const first = await stack.watch(['pull', images.redis], (stdout) => {
      if (!killed && stdout.includes(`${small}: Pull complete`) && !stdout.includes(`${bulk}: Pull complete`)) {
        killed = true;
        process.kill(stack.servicePid('redis'), 'SIGKILL');
      }
    });
    expect(killed).toBe(true);
    await until('the stack to answer again', answers);
    const again = await stack.berth(['pull', images.redis], { timeoutMs: 120_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    if (first.code !== 0) expect(again.stdout).toMatch(new RegExp(`${small}: Already exists|Status: Image is up to date`));
    expect((await stack.must(['run', '--rm', images.redis, 'cat', '/etc/berth-pulled'])).trim()).toBe('redis');
    await until('no pull job left', jobsLeft);
  }, 240_000);

  it('a client that goes away mid-pull leaves no stuck job: the pull runs to the end', async () => {
    const [, small = ''] = layers.client;
    let killed = false;
    await stack.watch(['pull', images.client], (stdout, child) => {
      if (!killed && stdout.includes(`${small}: Pull complete`)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    expect(killed).toBe(true);
    await until('the abandoned pull to finish', async () => jobsLeft() && (await listed(images.client)), 120_000);
    const again = await stack.must(['pull', images.client]);
    expect(again).toContain(`Status: Image is up to date for ${images.client}`);
  }, 180_000);
});
