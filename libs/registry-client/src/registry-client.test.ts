import { ErrorCode } from '@berth/errors';
import { parseReference } from '@berth/reference';
import { FakeRegistry, sha } from './fake-registry.test-support';
import { MediaType } from './media-types';
import { RegistryClient } from './registry-client';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, RemoteRepository } from './remote';

const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

describe('RegistryClient against a fake registry', () => {
  let registry: FakeRegistry;
  let client: RegistryClient;
  beforeEach(async () => {
    registry = new FakeRegistry();
    await registry.start();
    client = new RegistryClient({ retries: 2, backoffMs: 5, inactivityTimeoutMs: 400 });
  });
  afterEach(() => registry.stop());

  const repo = (ref = `${registry.host}/lib/app:v1`, credentials?: { username: string; password: string }): RemoteRepository =>
    RemoteRepository.open(client, parseReference(ref), credentials);

  const image = (): { digest: string; config: Buffer; layer: Buffer } => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const layer = Buffer.from('layer bytes '.repeat(1000));
    const c = registry.putBlob(config);
    const l = registry.putBlob(layer);
    const digest = registry.putManifest(
      'v1',
      { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, ...c }, layers: [{ mediaType: LAYER, ...l }] },
      MediaType.OciManifest,
    );
    return { digest, config, layer };
  };

  it('fetches and verifies a manifest by tag and by digest over plain HTTP to 127.0.0.1', async () => {
    const { digest } = image();
    const byTag = await repo().resolve();
    expect(byTag.digest).toBe(digest);
    expect(byTag.manifest.layers).toHaveLength(1);
    const byDigest = await repo(`${registry.host}/lib/app@${digest}`).getManifest(digest);
    expect(byDigest.parsed.kind).toBe('manifest');
    expect(registry.requests).toContain('GET /v2/lib/app/manifests/v1');
  });

  it('answers a Bearer challenge with an anonymous token, then reuses it', async () => {
    image();
    registry.auth = 'bearer';
    await repo().ping();
    await repo().resolve();
    expect(registry.tokensIssued).toBe(1);
  });

  it('follows Docker Hub\'s anonymous token flow and renews a token that expires mid-pull', async () => {
    const { layer } = image();
    registry.auth = 'bearer';
    registry.tokenTtlSeconds = 1;
    registry.tokenHonouredMs = 300;
    const remote = repo();
    const { manifest } = await remote.resolve();
    expect(registry.requests.slice(0, 3)).toEqual(['GET /v2/lib/app/manifests/v1', 'GET /token', 'GET /v2/lib/app/manifests/v1']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The token died at the registry while the client still trusts it, and the blob's connection
    // drops half-way: the blob request gets a fresh token and the resumed range goes through.
    const path = `/v2/lib/app/blobs/${manifest.layers[0]!.digest}`;
    registry.misbehave.set(path, { dropAfter: { bytes: 5000, times: 1 } });
    expect((await remote.readBlob(manifest.layers[0]!)).equals(layer)).toBe(true);
    expect(registry.tokensIssued).toBe(2);
    expect(registry.requests.filter((r) => r === `GET ${path}`).length).toBeGreaterThanOrEqual(3);
  });

  it('sends credentials to the token server and reports a bad password clearly', async () => {
    image();
    registry.auth = 'bearer';
    registry.users = { alice: 'secret' };
    await expect(repo(undefined, { username: 'alice', password: 'secret' }).resolve()).resolves.toBeDefined();
    await expect(repo(`${registry.host}/lib/app:v1`, { username: 'alice', password: 'wrong' }).resolve()).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: expect.stringMatching(/incorrect username or password/),
    });
  });

  it('uses Basic auth when challenged for it, and refuses without credentials', async () => {
    image();
    registry.auth = 'basic';
    registry.users = { bob: 'pw' };
    await expect(repo(undefined, { username: 'bob', password: 'pw' }).resolve()).resolves.toBeDefined();
    await expect(repo().resolve()).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
  });

  it('refuses a manifest whose bytes do not match the digest asked for or announced', async () => {
    const { digest } = image();
    const tampered = registry.manifests.get('v1')!;
    registry.manifests.set('v1', { ...tampered, digestHeader: sha('something else') });
    await expect(repo().resolve()).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    registry.manifests.set(digest, { ...tampered, body: Buffer.concat([tampered.body, Buffer.from(' ')]), digestHeader: undefined });
    await expect(repo(`${registry.host}/lib/app@${digest}`).resolve()).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
  });

  it('refuses manifests, indexes and configs over 4 MiB without reading them', async () => {
    const big = Buffer.alloc(MAX_MANIFEST_BYTES + 10, 0x20);
    registry.manifests.set('big', { body: big, contentType: MediaType.OciManifest });
    await expect(repo(`${registry.host}/lib/app:big`).resolve()).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    registry.manifests.set('bigindex', { body: big, contentType: MediaType.OciIndex });
    await expect(repo(`${registry.host}/lib/app:bigindex`).resolve()).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    const config = registry.putBlob(Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    registry.requests.length = 0;
    await expect(repo().readBlob({ mediaType: MediaType.OciConfig, ...config })).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    expect(registry.requests).toEqual([]);
  });

  it('refuses unknown, schema 1 and ambiguous media types with clear errors', async () => {
    registry.putManifest('helm', { schemaVersion: 2, config: { mediaType: 'x', digest: sha('a'), size: 1 }, layers: [] }, 'application/vnd.cncf.helm.chart.v1+json');
    await expect(repo(`${registry.host}/lib/app:helm`).resolve()).rejects.toMatchObject({ code: ErrorCode.ManifestInvalid, message: expect.stringMatching(/unsupported manifest media type/) });
    registry.putManifest('both', { schemaVersion: 2, manifests: [], config: { mediaType: 'x', digest: sha('a'), size: 1 }, layers: [] }, 'application/json');
    await expect(repo(`${registry.host}/lib/app:both`).resolve()).rejects.toMatchObject({ code: ErrorCode.ManifestInvalid, message: expect.stringMatching(/ambiguous/) });
    registry.putManifest('liar', { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] }, MediaType.OciManifest);
    await expect(repo(`${registry.host}/lib/app:liar`).resolve()).rejects.toMatchObject({ code: ErrorCode.ManifestInvalid, message: expect.stringMatching(/ambiguous/) });
    registry.putManifest('old', { schemaVersion: 1, name: 'x' }, MediaType.DockerSchema1Signed);
    await expect(repo(`${registry.host}/lib/app:old`).resolve()).rejects.toMatchObject({ code: ErrorCode.Unimplemented });
    await expect(repo(`${registry.host}/lib/app:missing`).resolve()).rejects.toMatchObject({ code: ErrorCode.ManifestUnknown });
  });

  it('selects the platform from an index', async () => {
    const amd = image();
    const arm = registry.putManifest('arm', { schemaVersion: 2, mediaType: MediaType.DockerManifest, config: { mediaType: MediaType.DockerConfig, ...registry.putBlob(Buffer.from('{}')) }, layers: [] }, MediaType.DockerManifest);
    const armSize = registry.manifests.get(arm)!.body.length;
    const amdSize = registry.manifests.get(amd.digest)!.body.length;
    const index = registry.putManifest(
      'multi',
      {
        schemaVersion: 2,
        mediaType: MediaType.DockerManifestList,
        manifests: [
          { mediaType: MediaType.DockerManifest, digest: arm, size: armSize, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          { mediaType: MediaType.OciManifest, digest: amd.digest, size: amdSize, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: MediaType.OciManifest, digest: sha('att'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
        ],
      },
      MediaType.DockerManifestList,
    );
    const onArm = await repo(`${registry.host}/lib/app:multi`).resolve({ platform: { os: 'linux', architecture: 'aarch64' } });
    expect(onArm).toMatchObject({ digest: index, manifestDigest: arm, manifestMediaType: MediaType.DockerManifest });
    const onAmd = await repo(`${registry.host}/lib/app:multi`).resolve({ platform: { os: 'linux', architecture: 'amd64' } });
    expect(onAmd.manifestDigest).toBe(amd.digest);
    const liar = registry.putManifest(
      'liar-index',
      { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ mediaType: MediaType.OciManifest, digest: arm, size: armSize, platform: { os: 'linux', architecture: 'arm64' } }] },
      MediaType.OciIndex,
    );
    await expect(repo(`${registry.host}/lib/app@${liar}`).resolve({ platform: { os: 'linux', architecture: 'arm64' } })).rejects.toMatchObject({
      code: ErrorCode.ManifestInvalid,
      message: expect.stringMatching(/ambiguous manifest .*the index says application\/vnd.oci.image.manifest.v1\+json, its body says application\/vnd.docker/),
    });
    await expect(repo(`${registry.host}/lib/app:multi`).resolve({ platform: { os: 'linux', architecture: 's390x' } })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      message: expect.stringMatching(/no matching manifest for linux\/s390x/),
    });
  });

  it('streams a blob and verifies it; a mismatch fails the stream', async () => {
    const { layer } = image();
    const manifest = (await repo().resolve()).manifest;
    const data = await repo().readBlob(manifest.layers[0]!);
    expect(data.equals(layer)).toBe(true);
    registry.blobs.set(manifest.layers[0]!.digest, Buffer.from(layer.toString().toUpperCase()));
    await expect(repo().readBlob(manifest.layers[0]!)).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    registry.blobs.set(manifest.layers[0]!.digest, Buffer.concat([layer, Buffer.from('extra')]));
    await expect(repo().readBlob(manifest.layers[0]!)).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
  });

  it('retries 5xx with backoff, then fails clearly after the last attempt', async () => {
    const { digest } = image();
    registry.misbehave.set('/v2/lib/app/manifests/v1', { fail503: 2 });
    await expect(repo().resolve()).resolves.toMatchObject({ digest });
    registry.misbehave.set('/v2/lib/app/manifests/v1', { fail503: 100 });
    await expect(repo().resolve()).rejects.toMatchObject({ code: ErrorCode.Unavailable, message: expect.stringMatching(/503.*gave up after 3 attempts/) });
  });

  it('resumes a blob whose connection dropped, with a Range request or by skipping', async () => {
    const { layer } = image();
    const descriptor = (await repo().resolve()).manifest.layers[0]!;
    const path = `/v2/lib/app/blobs/${descriptor.digest}`;
    registry.misbehave.set(path, { dropAfter: { bytes: 5000, times: 2 } });
    expect((await repo().readBlob(descriptor)).equals(layer)).toBe(true);
    registry.misbehave.set(path, { dropAfter: { bytes: 3000, times: 1 }, ignoreRange: true });
    expect((await repo().readBlob(descriptor)).equals(layer)).toBe(true);
  });

  it('gives up on a registry that hangs, before or during a body', async () => {
    const { digest } = image();
    registry.misbehave.set('/v2/lib/app/manifests/v1', { hang: true });
    await expect(repo().resolve()).rejects.toMatchObject({ code: ErrorCode.DeadlineExceeded, message: expect.stringMatching(/no data for 0.4s.*3 attempts/) });
    const descriptor = (await repo(`${registry.host}/lib/app@${digest}`).resolve()).manifest.layers[0]!;
    registry.misbehave.set(`/v2/lib/app/blobs/${descriptor.digest}`, { hang: true, afterBytes: 100 });
    await expect(repo().readBlob(descriptor)).rejects.toMatchObject({ code: ErrorCode.DeadlineExceeded });
  });

  it('stops at once when the caller aborts', async () => {
    image();
    registry.misbehave.set('/v2/lib/app/manifests/v1', { hang: true });
    const controller = new AbortController();
    const pending = repo().resolve({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.Canceled });
  });

  it('tries a mirror first and falls back to the registry', async () => {
    const { digest } = image();
    const mirror = new FakeRegistry();
    await mirror.start();
    try {
      const mirrored = new RegistryClient({ retries: 0, backoffMs: 5, inactivityTimeoutMs: 400, mirrors: { [registry.host]: [`http://${mirror.host}`] } });
      const resolved = await RemoteRepository.open(mirrored, parseReference(`${registry.host}/lib/app:v1`)).resolve();
      expect(resolved.digest).toBe(digest);
      expect(mirror.requests).toContain('GET /v2/lib/app/manifests/v1');
    } finally {
      await mirror.stop();
    }
  });
});
