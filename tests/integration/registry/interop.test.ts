// Real clients against Berth's registry, and the same scenarios against registry:2 for comparison:
// skopeo, podman and docker push (with credentials, through the token flow) and pull (anonymously,
// the repositories being public) unmodified, and round-trip identical manifest digests. registry:2
// has no auth, so the same credentials are simply unused there.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deleteManifests, describeIf, Hub, itIf, PEER_REGISTRY, peerSkipReason, registryAppSkipReason } from './hub';

const exec = promisify(execFile);
const sha = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function run(cmd: string, args: string[]): Promise<string> {
  try {
    return (await exec(cmd, args, { timeout: 120_000, maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr ?? ''}${stdout ?? ''}`);
  }
}

function runWithInput(cmd: string, args: string[], input: string): Promise<string> {
  return new Promise((ok, fail) => {
    const child = execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => (err ? fail(new Error(`${cmd} ${args.join(' ')} failed: ${stderr}`)) : ok(stdout)));
    child.stdin?.end(input);
  });
}

const quiet = (cmd: string, args: string[]): Promise<void> => exec(cmd, args).then(() => undefined, () => undefined);

// Builds, in an OCI layout, a two-platform index (the second platform's config differs only in
// its architecture) and returns its digest.
function writeMultiArchLayout(layout: string): string {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number; mediaType: string }[] };
  const blob = (digest: string): Buffer => readFileSync(join(layout, 'blobs/sha256', digest.slice(7)));
  const put = (data: Buffer): string => {
    const digest = sha(data);
    writeFileSync(join(layout, 'blobs/sha256', digest.slice(7)), data);
    return digest;
  };
  const amd64 = index.manifests[0]!;
  const manifest = JSON.parse(blob(amd64.digest).toString()) as { config: { digest: string; size: number } };
  const config = JSON.parse(blob(manifest.config.digest).toString()) as Record<string, unknown>;
  const armConfig = Buffer.from(JSON.stringify({ ...config, architecture: 'arm64' }));
  const armManifest = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: put(armConfig), size: armConfig.length } }));
  const multi = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: amd64.mediaType, digest: amd64.digest, size: amd64.size, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: amd64.mediaType, digest: put(armManifest), size: armManifest.length, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    }),
  );
  const digest = put(multi);
  const top = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: multi.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }] };
  writeFileSync(join(layout, 'index.json'), JSON.stringify(top));
  return digest;
}

// Digests each client produced, per registry, to show both registries behave the same.
const seen: Record<string, Record<string, string>> = {};

describeIf('registry interoperability', registryAppSkipReason(), () => {
  const hub = new Hub();
  // The namespace is a user of the Hub: only they may push there.
  const repo = `berth-it-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const creds = `${repo}:${password}`;
  // Made in beforeAll, not when the file is collected: a skipped suite runs no afterAll.
  let work = '';
  const targets: { label: string; addr: () => string; reason?: string }[] = [
    { label: 'berth', addr: () => hub.addr },
    { label: 'registry:2', addr: () => PEER_REGISTRY, reason: peerSkipReason('registry:2') },
  ];

  beforeAll(async () => {
    work = mkdtempSync('/tmp/berth-it-interop-');
    hub.admin(['user', 'add', repo, '--password-stdin'], `${password}\n`);
    await hub.start();
  });
  afterAll(async () => {
    if (!peerSkipReason('registry:2')) await deleteManifests(PEER_REGISTRY, ['busybox', 'copy', 'multi'].map((r) => `${repo}/${r}`));
    await hub.remove();
    rmSync(work, { recursive: true, force: true });
  });

  describe.each(targets)('against $label', ({ label, addr, reason }) => {
    // Transports such as oci:PATH:TAG split on colons.
    const dirName = label.replace(/[^a-z0-9]/g, '');
    const record = (client: string, digest: string): void => {
      seen[client] = { ...seen[client], [label]: digest };
    };

    itIf(`skopeo copies an image in and back out with the same digest (${label})`, reason ?? peerSkipReason('skopeo'), async () => {
      const ref = `docker://${addr()}/${repo}/busybox:skopeo`;
      await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds, 'docker-daemon:busybox:peer', ref]);
      const digest = (await run('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', ref])).trim();
      const out = join(work, `${dirName}-dir`);
      await run('skopeo', ['copy', '--src-tls-verify=false', ref, `dir:${out}`]);
      expect(sha(readFileSync(join(out, 'manifest.json')))).toBe(digest);
      const back = `docker://${addr()}/${repo}/copy:back`;
      await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds, `dir:${out}`, back]);
      expect((await run('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', back])).trim()).toBe(digest);
      record('skopeo', digest);
    });

    itIf(`skopeo pushes a multi-arch index that keeps its digest (${label})`, reason ?? peerSkipReason('skopeo'), async () => {
      const layout = join(work, `${dirName}-oci`);
      mkdirSync(layout);
      await run('skopeo', ['copy', 'docker-daemon:busybox:peer', `oci:${layout}:amd64`]);
      const digest = writeMultiArchLayout(layout);
      const ref = `docker://${addr()}/${repo}/multi:v1`;
      await run('skopeo', ['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${layout}:multi`, ref]);
      expect((await run('skopeo', ['inspect', '--tls-verify=false', '--raw', ref])).includes('arm64')).toBe(true);
      expect((await run('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', ref])).trim()).toBe(digest);
      const out = join(work, `${dirName}-multi-out`);
      await run('skopeo', ['copy', '--all', '--src-tls-verify=false', ref, `oci:${out}:multi`]);
      const outIndex = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      expect(outIndex.manifests[0]!.digest).toBe(digest);
      record('skopeo-index', digest);
    });

    itIf(`podman pushes and pulls (${label})`, reason ?? peerSkipReason('podman'), async () => {
      const ref = `${addr()}/${repo}/busybox:podman`;
      const digestFile = join(work, `${dirName}-podman-digest`);
      try {
        await run('podman', ['push', '--tls-verify=false', '--creds', creds, '--digestfile', digestFile, 'localhost/busybox:peer', ref]);
        const pushed = readFileSync(digestFile, 'utf8').trim();
        await run('podman', ['pull', '--tls-verify=false', ref]);
        // The pulled image shares its ID with the local one, so look for the pulled manifest's
        // digest under the registry's name rather than at the image's first digest.
        const repoDigests = JSON.parse(await run('podman', ['image', 'inspect', '--format', '{{json .RepoDigests}}', ref])) as string[];
        expect(repoDigests).toContain(`${addr()}/${repo}/busybox@${pushed}`);
        record('podman', pushed);
      } finally {
        await quiet('podman', ['rmi', '-f', ref]);
      }
    });

    itIf(`docker pushes and pulls through its daemon (${label})`, reason ?? peerSkipReason('docker'), async () => {
      const ref = `${addr()}/${repo}/busybox:docker`;
      try {
        await run('docker', ['tag', 'busybox:peer', ref]);
        await runWithInput('docker', ['login', addr(), '-u', repo, '--password-stdin'], password);
        const pushed = /digest: (sha256:[a-f0-9]{64})/.exec(await run('docker', ['push', ref]))?.[1];
        expect(pushed).toBeDefined();
        // The pull is anonymous: the repository is public.
        await run('docker', ['logout', addr()]);
        await run('docker', ['rmi', ref]);
        const pulled = /Digest: (sha256:[a-f0-9]{64})/.exec(await run('docker', ['pull', ref]))?.[1];
        expect(pulled).toBe(pushed);
        record('docker', pushed!);
      } finally {
        await quiet('docker', ['logout', addr()]);
        await quiet('docker', ['rmi', ref]);
      }
    });
  });

  describe('accounts and permissions (Berth only)', () => {
    itIf('refuses anonymous pushes and wrong passwords, from skopeo and docker', peerSkipReason('skopeo') ?? peerSkipReason('docker'), async () => {
      const ref = `docker://${hub.addr}/${repo}/denied:v1`;
      await expect(run('skopeo', ['copy', '--dest-tls-verify=false', 'docker-daemon:busybox:peer', ref])).rejects.toThrow(/unauthorized|authentication required/i);
      await expect(run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `${repo}:wrong`, 'docker-daemon:busybox:peer', ref])).rejects.toThrow(/unauthorized|invalid username or password/i);
      await expect(runWithInput('docker', ['login', hub.addr, '-u', repo, '--password-stdin'], 'wrong')).rejects.toThrow(/unauthorized|invalid username or password/i);
    });

    itIf('serves a private repository only to its owner', peerSkipReason('skopeo'), async () => {
      const ref = `docker://${hub.addr}/${repo}/private:v1`;
      await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', creds, 'docker-daemon:busybox:peer', ref]);
      hub.admin(['repo', 'visibility', `${repo}/private`, 'private']);
      await expect(run('skopeo', ['inspect', '--tls-verify=false', ref])).rejects.toThrow(/unauthorized|denied|authentication required/i);
      expect((await run('skopeo', ['inspect', '--tls-verify=false', '--creds', creds, '--format', '{{.Digest}}', ref])).trim()).toMatch(/^sha256:/);
    });
  });

  itIf('Berth and registry:2 give every client the same digests', peerSkipReason('registry:2'), async () => {
    for (const [client, byRegistry] of Object.entries(seen)) {
      if (byRegistry.berth && byRegistry['registry:2']) expect({ client, digest: byRegistry.berth }).toEqual({ client, digest: byRegistry['registry:2'] });
    }
  });

  it('logged no internal errors', () => {
    expect(hub.stderr).not.toMatch(/registry error/);
  });
});
