import { busyboxTar, describeIntegration, Stack } from '../harness';

const IMAGE = 'it/busybox:1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function healthy(stack: Stack): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await stack.berth(['ps', '-q'])).code === 0) return;
    await sleep(200);
  }
  throw new Error('the stack did not come back');
}

describeIntegration('a stack survives SIGKILL of any service', () => {
  const stack = new Stack();
  let id = '';

  beforeAll(async () => {
    stack.up();
    await stack.must(['import', busyboxTar(), IMAGE]);
    id = (await stack.must(['run', '-d', '--name', 'ticker', IMAGE, 'sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'])).trim();
  }, 120_000);

  afterAll(() => stack.destroy(), 120_000);

  it.each(['daemon', 'runtime-shim', 'image-store', 'redis'])('keeps containers and logs when %s is killed', async (service) => {
    const before = (await stack.must(['logs', 'ticker'])).split('\n').length;
    const pid = stack.servicePid(service);
    process.kill(pid, 'SIGKILL');
    await sleep(300);
    await healthy(stack);
    expect(stack.servicePid(service)).not.toBe(pid);
    const ps = await stack.must(['ps', '--no-trunc']);
    expect(ps).toContain(id);
    await sleep(500);
    const after = (await stack.must(['logs', 'ticker'])).split('\n');
    expect(after.length).toBeGreaterThan(before);
    // No line was lost or repeated while the service was down.
    const numbers = after.filter((l) => l.startsWith('tick ')).map((l) => Number(l.slice(5)));
    expect(numbers).toEqual(numbers.map((_, i) => i));
  });

  it('still stops, waits and removes after all that', async () => {
    const waited = stack.berth(['wait', 'ticker']);
    await stack.must(['stop', '-t', '1', 'ticker']);
    expect((await waited).stdout.trim()).toBe('137');
    await stack.must(['rm', 'ticker']);
    stack.down();
    expect(stack.leftovers()).toEqual([]);
  });
});

describeIntegration('bad input is refused and leaves nothing behind', () => {
  const stack = new Stack();

  beforeAll(async () => {
    stack.up();
    await stack.must(['import', busyboxTar(), IMAGE]);
  }, 120_000);

  afterAll(() => stack.destroy(), 120_000);

  it.each([
    [['run', '--rm', '--nope', IMAGE, 'true'], 125],
    [['run', '--rm', 'UPPER/Case', 'true'], 125],
    [['run', '--rm', '--name', 'bad name!', IMAGE, 'true'], 125],
    [['run', '--rm', '-m', '1k', IMAGE, 'true'], 125],
    [['run', '--rm', '--cpus', '99', IMAGE, 'true'], 125],
    [['run', '--rm', '--cap-add', 'NOT_A_CAP', IMAGE, 'true'], 125],
    [['run', '--rm', '--security-opt', 'seccomp=/nonexistent.json', IMAGE, 'true'], 125],
    [['run', '--rm', '--runtime', 'nosuchruntime', IMAGE, 'true'], 125],
    [['run', '--rm', '-u', 'nosuchuser', IMAGE, 'true'], 125],
    [['run', '--rm', '-w', 'relative', IMAGE, 'true'], 125],
    [['kill', '-s', 'NOPE', 'x'], 1],
    [['rm', 'no-such-container'], 1],
    [['rmi', 'no/such:image'], 1],
  ])('%j exits %d', async (args, code) => {
    const result = await stack.berth(args as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr.trim().length).toBeGreaterThan(0);
    expect(await stack.must(['ps', '-aq'])).toBe('');
  });

  it('refuses a tarball that is not one, and stores nothing', async () => {
    const before = await stack.must(['images', '-q']);
    const result = await stack.berth(['import', '-', 'it/garbage:1'], { input: 'this is not a tar archive at all'.repeat(100) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/tar|archive|invalid/i);
    expect(await stack.must(['images', '-q'])).toBe(before);
  });

  it('leaves no mounts, cgroups or processes after system down', () => {
    stack.down();
    expect(stack.leftovers()).toEqual([]);
  });
});

describeIntegration('two stacks side by side', () => {
  const a = new Stack();
  const b = new Stack();

  beforeAll(async () => {
    a.up();
    b.up();
    await a.must(['import', busyboxTar(), IMAGE]);
    await b.must(['import', busyboxTar(), IMAGE]);
  }, 120_000);

  afterAll(() => {
    a.destroy();
    b.destroy();
  }, 120_000);

  it('never see each other', async () => {
    const idA = (await a.must(['run', '-d', '--name', 'same', IMAGE, 'sleep', '60'])).trim();
    const idB = (await b.must(['run', '-d', '--name', 'same', IMAGE, 'sleep', '60'])).trim();
    expect(await a.must(['ps', '-q', '--no-trunc'])).toBe(`${idA}\n`);
    expect(await b.must(['ps', '-q', '--no-trunc'])).toBe(`${idB}\n`);
    await a.must(['rm', '-f', 'same']);
    expect(await b.must(['ps', '-q', '--no-trunc'])).toBe(`${idB}\n`);
    await b.must(['rm', '-f', 'same']);
    a.down();
    b.down();
    expect([...a.leftovers(), ...b.leftovers()]).toEqual([]);
  });
});
