import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pullJobId } from '@berth/pull-queue';
import { peersSkipReason, pushTestImage as pushImage, REGISTRY } from '../peer-registry';
import { integrationSkipReason, Stack } from '../harness';

const reason = integrationSkipReason() ?? peersSkipReason();
const describePeers = reason ? describe.skip : describe;
if (reason) process.stderr.write(`SKIPPED integration suite "pulls through the stack's queue": ${reason}\n`);

describePeers(`pulls through the stack's queue${reason ? ` (SKIPPED: ${reason})` : ''}`, () => {
  const stack = new Stack();
  const tag = `t${Date.now()}`;
  const first = `${REGISTRY}/berth-it/stack-pull:${tag}`;
  const second = `${REGISTRY}/berth-it/stack-pull-shared:${tag}`;
  const big = `${REGISTRY}/berth-it/stack-pull-big:${tag}`;
  let bigLayers: string[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/berth-it-stack-pull-');
    await pushImage(join(dir, 'one'), first, 'one');
    // Big enough that two pulls started together are both still waiting when it ends.
    await pushImage(join(dir, 'two'), second, 'two', 96 << 20);
    bigLayers = await pushImage(join(dir, 'big'), big, 'big', 192 << 20);
    stack.up();
  }, 180_000);

  afterAll(() => {
    stack.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('runs an image that is not on the host: pulls it and runs it in one command', async () => {
    const result = await stack.berth(['run', '--rm', first, 'cat', '/etc/berth-pulled']);
    expect(result.stderr).toContain(`Unable to find image '${first}' locally\n${tag}: Pulling from berth-it/stack-pull\n`);
    expect(result.stderr).toMatch(/[0-9a-f]{12}: Pull complete\n/);
    expect(result.stderr).toMatch(new RegExp(`Digest: sha256:[0-9a-f]{64}\nStatus: Downloaded newer image for ${first.replace(/\./g, '\\.')}\n`));
    expect(result.stdout).toBe('one\n');
    expect(result.code).toBe(0);
  });

  it('shares one job between two pulls of the same image at the same time', async () => {
    const [a, b] = await Promise.all([stack.berth(['pull', second]), stack.berth(['pull', second])]);
    for (const r of [a, b]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Status: Downloaded newer image for ${second}\n`);
      expect(r.stdout.endsWith(`\n${second}\n`)).toBe(true);
    }
    // BullMQ records an `added` event only when a job is queued; a request that joins one does not.
    const events = execFileSync('redis-cli', ['-s', join(stack.root, 'run/redis.sock'), '--raw', 'XRANGE', 'bull:berth-pulls:events', '-', '+'], { encoding: 'utf8' }).split('\n');
    const jobId = pullJobId(second, '');
    const added = events.filter((line, i) => line === 'added' && events.slice(i + 1, i + 4).includes(jobId));
    expect(added).toHaveLength(1);
  });

  it('says the image is up to date when pulled again', async () => {
    const again = await stack.berth(['pull', first]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`${tag}: Pulling from berth-it/stack-pull\nDigest: ${/Digest: (sha256:[0-9a-f]{64})/.exec(again.stdout)?.[1] ?? '?'}\nStatus: Image is up to date for ${first}\n${first}\n`);
    expect(await stack.must(['pull', '-q', first])).toBe(`${first}\n`);
  });

  it('refuses a missing image with --pull never (125) and fails clearly for one the registry lacks', async () => {
    const never = await stack.berth(['run', '--rm', '--pull', 'never', `${REGISTRY}/berth-it/stack-pull:absent`, 'true']);
    expect(never.code).toBe(125);
    expect(never.stderr).toContain('No such image');
    const absent = await stack.berth(['pull', `${REGISTRY}/berth-it/stack-pull:absent`]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/^Error response from daemon: manifest .*absent: not found/);
  });

  it('finishes a pull whose image store was SIGKILLed mid-pull, reusing the layers it had verified', async () => {
    const [, small = '', bulk = ''] = bigLayers;
    let killedAt = -1;
    const { code, stdout, stderr } = await stack.watch(['pull', big], (stdout) => {
      // The small layer is in; the big one is still on its way: now the store dies.
      if (killedAt === -1 && stdout.includes(`${small}: Pull complete`) && !stdout.includes(`${bulk}: Pull complete`)) {
        killedAt = stdout.length;
        process.kill(stack.servicePid('image-store'), 'SIGKILL');
      }
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(killedAt).toBeGreaterThan(0);
    // The retried job found the small layer verified and unpacked, and fetched only the big one.
    const after = stdout.slice(killedAt);
    expect(after).toContain(`${small}: Already exists`);
    expect(after).toContain(`${bulk}: Pull complete`);
    expect(stdout).toContain(`Status: Downloaded newer image for ${big}\n`);
    expect((await stack.berth(['run', '--rm', big, 'cat', '/etc/berth-pulled'])).stdout).toBe('big\n');
  }, 120_000);
});
