import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxTar, integrationSkipReason, Stack } from '../harness';
import { tarOf } from '../peer-registry';
import { deleteManifests, describeIf, Hub, itIf, peerSkipReason, PEER_REGISTRY, registryAppSkipReason } from '../registry/hub';

const DIGEST_LINE = /^(\S+): digest: (sha256:[0-9a-f]{64}) size: (\d+)$/m;

// The manifest digest a registry serves for a tag.
async function remoteDigest(addr: string, repo: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${addr}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  return res.ok ? res.headers.get('docker-content-digest') : null;
}

describeIf('berth push', integrationSkipReason() ?? registryAppSkipReason(), () => {
  const stack = new Stack();
  const hub = new Hub({ anonymousPush: true });
  let image = '';
  let imageId = '';

  beforeAll(async () => {
    await hub.start();
    stack.up();
    image = `${hub.addr}/it/busybox`;
    imageId = (await stack.must(['import', busyboxTar(), `${image}:v1`])).trim();
  }, 120_000);

  afterAll(async () => {
    stack.destroy();
    await hub.remove();
  }, 120_000);

  it("pushes an image with docker's progress, and the Hub serves the digest it printed", async () => {
    const result = await stack.berth(['push', `${image}:v1`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`The push refers to repository [${image}]\n`)).toBe(true);
    expect(result.stdout).toMatch(/^[0-9a-f]{12}: Preparing$/m);
    expect(result.stdout).toMatch(/^[0-9a-f]{12}: Pushed$/m);
    const [, tag, digest] = DIGEST_LINE.exec(result.stdout) ?? [];
    expect(tag).toBe('v1');
    expect(await remoteDigest(hub.addr, 'it/busybox', 'v1')).toBe(digest);
    // The image now records where it was pushed, as docker's does.
    const inspect = JSON.parse(await stack.must(['image', 'inspect', `${image}:v1`])) as Array<{ RepoDigests: string[] }>;
    expect(inspect[0]?.RepoDigests).toContain(`${image}@${digest}`);
  });

  it('says "Layer already exists" when pushed again, with the same digest', async () => {
    const first = DIGEST_LINE.exec(await stack.must(['push', `${image}:v1`]));
    const again = await stack.must(['push', `${image}:v1`]);
    expect(again).toMatch(/^[0-9a-f]{12}: Layer already exists$/m);
    expect(again).not.toMatch(/: Pushed$/m);
    expect(DIGEST_LINE.exec(again)?.[2]).toBe(first?.[2]);
  });

  it('mounts blobs into another repository of the same registry', async () => {
    await stack.must(['tag', `${image}:v1`, `${hub.addr}/it/other:v1`]);
    const out = await stack.must(['push', `${hub.addr}/it/other:v1`]);
    expect(out).toMatch(/^[0-9a-f]{12}: Mounted from it\/busybox$/m);
  });

  it('-q prints only the reference; -a pushes every tag of the repository', async () => {
    expect(await stack.must(['push', '-q', `${image}:v1`])).toBe(`${image}:v1\n`);
    await stack.must(['tag', `${image}:v1`, `${image}:v2`]);
    const all = await stack.must(['push', '-a', image]);
    expect(all.match(/^The push refers to repository/gm)).toHaveLength(1);
    expect(all).toMatch(/^v1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    expect(all).toMatch(/^v2: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    expect(await remoteDigest(hub.addr, 'it/busybox', 'v2')).toBe(await remoteDigest(hub.addr, 'it/busybox', 'v1'));
  });

  it('round-trips: push, rmi, run pulls it back with the same digest and image ID', async () => {
    const pushed = DIGEST_LINE.exec(await stack.must(['push', `${image}:v1`]))?.[2];
    await stack.must(['rmi', '-f', imageId]);
    const run = await stack.berth(['run', '--rm', `${image}:v1`, 'echo', 'round trip']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('round trip\n');
    expect(run.stderr).toContain(`Digest: ${pushed}\n`);
    expect((await stack.must(['image', 'inspect', '-f', '{{.Id}}', `${image}:v1`])).trim()).toBe(imageId);
  });

  it("fails as docker does for an image that is not here and for a bad reference", async () => {
    const missing = await stack.berth(['push', `${hub.addr}/it/absent`]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe(`The push refers to repository [${hub.addr}/it/absent]\n`);
    expect(missing.stderr).toBe(`An image does not exist locally with the tag: ${hub.addr}/it/absent\n`);
    const bad = await stack.berth(['push', 'Bad/Name']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid reference format');
    const tagged = await stack.berth(['push', '-a', `${image}:v1`]);
    expect(tagged.code).toBe(1);
    expect(tagged.stderr).toBe("tag can't be used with --all-tags/-a\n");
  });

  it('finishes a push whose image store was SIGKILLed mid-upload, once the job is taken again', async () => {
    const dir = mkdtempSync('/tmp/berth-it-push-big-');
    try {
      const big = `${hub.addr}/it/big:v1`;
      writeFileSync(join(dir, 'rootfs.tar'), await tarOf([{ name: 'bulk', body: randomBytes(96 << 20) }]));
      await stack.must(['import', join(dir, 'rootfs.tar'), big]);
      let killed = false;
      const { code, stdout, stderr } = await stack.watch(['push', big], (stdout) => {
        if (!killed && /: Pushing/.test(stdout)) {
          killed = true;
          process.kill(stack.servicePid('image-store'), 'SIGKILL');
        }
      });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(killed).toBe(true);
      const digest = DIGEST_LINE.exec(stdout)?.[2];
      expect(await remoteDigest(hub.addr, 'it/big', 'v1')).toBe(digest);
      await stack.must(['rmi', big]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  const peers = peerSkipReason('registry:2');
  const dockerPeer = peers ?? peerSkipReason('docker');
  const peerRepo = `berth-it/push-${Date.now()}`;
  afterAll(async () => {
    if (!peers) await deleteManifests(PEER_REGISTRY, [peerRepo]);
    if (!dockerPeer) spawnSync('docker', ['rmi', '-f', peerTarget]);
  });

  const peerTarget = `${PEER_REGISTRY}/${peerRepo}:v1`;
  let peerDigest: string | undefined;
  itIf('pushes to registry:2, which serves the digest it printed', peers, async () => {
    await stack.must(['tag', `${image}:v1`, peerTarget]);
    const out = await stack.must(['push', peerTarget]);
    peerDigest = DIGEST_LINE.exec(out)?.[2];
    expect(await remoteDigest(PEER_REGISTRY, peerRepo, 'v1')).toBe(peerDigest);
    expect(await stack.must(['push', peerTarget])).toMatch(/^[0-9a-f]{12}: Layer already exists$/m);
  });

  itIf('docker pulls and runs what Berth pushed to registry:2', dockerPeer, async () => {
    expect(peerDigest).toBeDefined();
    const pull = spawnSync('docker', ['pull', peerTarget], { encoding: 'utf8', timeout: 120_000 });
    expect(pull.stderr).toBe('');
    expect(pull.stdout).toContain(`Digest: ${peerDigest}`);
    const run = spawnSync('docker', ['run', '--rm', '--network', 'none', peerTarget, 'echo', 'from berth'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stdout).toBe('from berth\n');
  }, 180_000);
});
