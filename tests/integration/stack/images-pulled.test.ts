import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { busyboxTar, integrationSkipReason, Stack } from '../harness';
import { deleteManifests, describeIf, itIf, peerSkipReason, PEER_REGISTRY } from '../registry/hub';

// Images that came from a registry carry digest references: `images --digests` shows them and
// `rmi` takes them away with the last tag, as docker does with the same image.
describeIf('pulled images: digests in images and rmi, beside dockerd', integrationSkipReason() ?? peerSkipReason('registry:2'), () => {
  const stack = new Stack();
  const repo = `h5-images-${randomBytes(4).toString('hex')}`;
  const ref = `${PEER_REGISTRY}/${repo}:1`;

  beforeAll(async () => {
    stack.up();
    await stack.must(['import', busyboxTar(), ref]);
    await stack.must(['push', '-q', ref]);
    await stack.must(['rmi', ref]);
    await stack.must(['pull', '-q', ref]);
  }, 120_000);

  afterAll(async () => {
    stack.destroy();
    await deleteManifests(PEER_REGISTRY, [repo]);
  }, 120_000);

  it('shows the digest with --digests and in json', async () => {
    const [repoDigest] = JSON.parse(await stack.must(['image', 'inspect', '-f', '{{json .RepoDigests}}', ref])) as string[];
    const digest = repoDigest?.split('@')[1] ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const table = (await stack.must(['images', '--digests', `${PEER_REGISTRY}/${repo}`])).split('\n');
    expect(table[1]).toMatch(new RegExp(`^${PEER_REGISTRY}/${repo}\\s+1\\s+${digest}\\s+[0-9a-f]{12}\\s+`));
    expect(JSON.parse(await stack.must(['images', '--digests', '--format', 'json', ref]))).toMatchObject({ Digest: digest, Tag: '1' });
    expect(JSON.parse(await stack.must(['images', '--format', 'json', ref]))).toMatchObject({ Digest: '<none>' });
  });

  it('untags the digest reference with the last tag of its repository', async () => {
    await stack.must(['tag', ref, 'h5-other:1']);
    const untag = await stack.must(['rmi', ref]);
    expect(untag).toMatch(new RegExp(`^Untagged: ${ref}\nUntagged: ${PEER_REGISTRY}/${repo}@sha256:[0-9a-f]{64}\n$`));
    expect(await stack.must(['rmi', 'h5-other:1'])).toMatch(/^Untagged: h5-other:1\nDeleted: sha256:[0-9a-f]{64}\nDeleted: sha256:[0-9a-f]{64}\n$/);
    await stack.must(['pull', '-q', ref]);
    const last = await stack.must(['rmi', ref]);
    expect(last).toMatch(new RegExp(`^Untagged: ${ref}\nUntagged: ${PEER_REGISTRY}/${repo}@sha256:[0-9a-f]{64}\nDeleted: sha256:[0-9a-f]{64}\nDeleted: sha256:[0-9a-f]{64}\n$`));
  }, 60_000);

  it('removes a digest reference alone, and resolves name@digest like a tag', async () => {
    await stack.must(['pull', '-q', ref]);
    const [repoDigest] = JSON.parse(await stack.must(['image', 'inspect', '-f', '{{json .RepoDigests}}', ref])) as string[];
    const id = (await stack.must(['image', 'inspect', '-f', '{{.Id}}', repoDigest ?? ''])).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await stack.must(['rmi', repoDigest ?? ''])).toBe(`Untagged: ${repoDigest}\n`);
    expect(JSON.parse(await stack.must(['images', '--digests', '--format', 'json', ref]))).toMatchObject({ Digest: '<none>', Tag: '1' });
    expect(await stack.must(['rmi', ref])).toMatch(new RegExp(`^Untagged: ${ref}\nDeleted: ${id}\nDeleted: sha256:[0-9a-f]{64}\n$`));
  }, 60_000);

  itIf(
    'prints what dockerd prints for the same image',
    peerSkipReason('docker'),
    async () => {
      await stack.must(['pull', '-q', ref]);
      const docker = (args: string[]): string => spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 }).stdout;
      try {
        docker(['pull', '-q', ref]);
        expect(await stack.must(['rmi', ref])).toBe(docker(['rmi', ref]));
      } finally {
        spawnSync('docker', ['rmi', '-f', ref], { stdio: 'ignore' });
      }
    },
    60_000,
  );
});
