import { execFileSync } from 'node:child_process';
import { integrationSkipReason, Stack } from '../harness';
import { dockerSkipReason, peersSkipReason, REGISTRY } from '../peer-registry';

const reason = integrationSkipReason() ?? peersSkipReason() ?? dockerSkipReason();
const describePeers = reason ? describe.skip : describe;
if (reason) process.stderr.write(`SKIPPED integration suite "an image docker pushed": ${reason}\n`);

// Issue 4's real-world check: `docker push` puts an image into registry:2, and `berth run` pulls
// and runs it, with the digest docker pushed.
describePeers(`an image docker pushed to registry:2${reason ? ` (SKIPPED: ${reason})` : ''}`, () => {
  const stack = new Stack();
  const image = `${REGISTRY}/berth-it/docker-pushed:t${Date.now()}`;
  let pushedDigest = '';

  beforeAll(() => {
    execFileSync('docker', ['tag', 'busybox:peer', image], { timeout: 30_000 });
    const out = execFileSync('docker', ['push', image], { encoding: 'utf8', timeout: 120_000 });
    pushedDigest = /digest: (sha256:[a-f0-9]{64})/.exec(out)?.[1] ?? '';
    stack.up();
  }, 180_000);

  afterAll(() => {
    execFileSync('docker', ['rmi', image], { stdio: 'ignore', timeout: 30_000 });
    stack.destroy();
  }, 120_000);

  it('is pulled and run by berth run, with the digest docker pushed', async () => {
    expect(pushedDigest).toMatch(/^sha256:/);
    const run = await stack.berth(['run', '--rm', image, 'sh', '-c', 'echo hello from $(uname -s)']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('hello from Linux\n');
    expect(run.stderr).toContain(`Digest: ${pushedDigest}`);
    expect(await stack.must(['image', 'inspect', '--format', '{{json .RepoDigests}}', image])).toContain(pushedDigest);
  }, 120_000);
});
