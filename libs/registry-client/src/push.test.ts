import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCode } from '@berth/errors';
import { parseReference } from '@berth/reference';
import { AccountStore, Authorizer, createRegistryHandler, FsDriver, MemoryDriver, Registry, TokenService } from '@berth/registry';
import { verifyLogin } from './login';
import { RemotePushTarget } from './push';
import { RegistryClient } from './registry-client';
import { RemoteRepository } from './remote';

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const alice = { username: 'alice', password: 'alice-pw' };

// Pushes and logins against Berth's own Hub, in process, with accounts and the token flow.
describe('pushing to a registry', () => {
  // Made in beforeAll, not when the file is collected: a -t filter that skips every test here
  // runs no afterAll to remove it.
  let dir = '';
  let server: Server;
  let host = '';
  const client = new RegistryClient({ retries: 1, backoffMs: 10 });
  const layer = randomBytes(3 << 20);
  const layerDescriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length };
  const target = (repo: string, credentials = alice): RemotePushTarget => RemotePushTarget.open(client, parseReference(`${host}/${repo}`), credentials, ['alice/app']);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-push-'));
    const accounts = new AccountStore(join(dir, 'accounts.json'));
    await accounts.addUser('alice', 'alice-pw');
    const tokens = await TokenService.open(join(dir, 'key.pem'), 'berth-hub:test');
    const auth = new Authorizer({ accounts, tokens, service: 'hub.test' });
    server = createServer(createRegistryHandler(new Registry(new MemoryDriver()), { auth }));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads a blob streamed from its source, then knows the registry has it', async () => {
    const app = target('alice/app');
    expect(await app.hasBlob(layerDescriptor.digest)).toBe(false);
    const progress: number[] = [];
    await app.uploadBlob(layerDescriptor, { open: async () => Readable.from([layer.subarray(0, 1 << 20), layer.subarray(1 << 20)]), onProgress: (n) => progress.push(n) });
    expect(await app.hasBlob(layerDescriptor.digest)).toBe(true);
    expect(progress.at(-1)).toBe(layer.length);
  });

  it('puts the exact manifest bytes, so the digest is the one they hash to', async () => {
    const app = target('alice/app');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
    const configDescriptor = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length };
    await app.uploadBlob(configDescriptor, { open: async () => Readable.from([config]) });
    // Deliberately not what JSON.stringify would write back: the bytes must go as they are.
    const manifest = Buffer.from(`{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": ${JSON.stringify(configDescriptor)}, "layers": [${JSON.stringify(layerDescriptor)}]}\n`);
    const digest = await app.putManifest('v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
    expect(digest).toBe(sha(manifest));
    const back = await RemoteRepository.open(client, parseReference(`${host}/alice/app:v1`), alice).getManifest('v1');
    expect(back.digest).toBe(digest);
  });

  it('mounts a blob from another repository, and says when it cannot', async () => {
    expect(await target('alice/other').mountBlob(layerDescriptor.digest, 'alice/app')).toEqual({ mounted: true });
    const missing = await target('alice/third').mountBlob(sha(Buffer.from('absent')), 'alice/app');
    expect(missing.mounted).toBe(false);
  });

  it('refuses to commit a local blob whose bytes do not match its descriptor', async () => {
    const bad = { ...layerDescriptor, digest: sha(Buffer.from('something else')) };
    await expect(target('alice/app').uploadBlob(bad, { open: async () => Readable.from([layer]) })).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    expect(await target('alice/app').hasBlob(bad.digest)).toBe(false);
  });

  it("says docker's words when the registry wants credentials", async () => {
    const anonymous = RemotePushTarget.open(new RegistryClient({ retries: 0 }), parseReference(`${host}/alice/app`), undefined);
    await expect(anonymous.uploadBlob(layerDescriptor, { open: async () => Readable.from([layer]) })).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: 'unauthorized: authentication required',
    });
  });

  it('resumes an upload whose connection dropped mid-PATCH from where the registry stopped', async () => {
    // A TCP proxy in front of a Hub on disk that cuts the first PATCH's connection after 1 MiB.
    const fsDir = mkdtempSync(join(tmpdir(), 'berth-push-fs-'));
    const hub = createServer(createRegistryHandler(new Registry(new FsDriver(fsDir))));
    await new Promise<void>((ok) => hub.listen(0, '127.0.0.1', ok));
    const hubPort = (hub.address() as AddressInfo).port;
    const requests: string[] = [];
    let armed = true;
    const proxy = createNetServer((client) => {
      const upstream = connect(hubPort, '127.0.0.1');
      let patchBytes = -1;
      client.on('data', (chunk: Buffer) => {
        const text = chunk.toString('latin1');
        for (const line of text.split('\r\n')) if (/^(PATCH|PUT|POST|GET|HEAD) /.test(line) || /^content-range:/i.test(line)) requests.push(line);
        if (armed && text.startsWith('PATCH ')) patchBytes = 0;
        if (patchBytes >= 0) patchBytes += chunk.length;
        if (armed && patchBytes > 1 << 20) {
          armed = false;
          // The Hub gets the end of what it was sent, as after a dropped connection.
          upstream.end();
          client.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    try {
      const ref = parseReference(`127.0.0.1:${(proxy.address() as AddressInfo).port}/lib/resumed`);
      // The default backoff, as in use: asked at once, the Hub may not have stored the cut PATCH yet
      // and says it holds nothing, which rightly starts the upload afresh.
      const push = RemotePushTarget.open(new RegistryClient({ retries: 3 }), ref, undefined);
      await push.uploadBlob(layerDescriptor, { open: async () => Readable.from([layer.subarray(0, 1 << 20), layer.subarray(1 << 20, 2 << 20), layer.subarray(2 << 20)]) });
      expect(await push.hasBlob(layerDescriptor.digest)).toBe(true);
      expect(requests.filter((r) => r.startsWith('POST '))).toHaveLength(1);
      // Two PATCHes, or three when the Hub was still storing the cut one when first asked.
      expect(requests.filter((r) => r.startsWith('PATCH ')).length).toBeGreaterThanOrEqual(2);
      expect(requests.find((r) => /^content-range: [1-9]\d*-/i.test(r))).toBeDefined();
    } finally {
      await new Promise((ok) => proxy.close(ok));
      await new Promise((ok) => hub.close(ok));
      rmSync(fsDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('checks a login through the token flow without ever repeating the password', async () => {
    await expect(verifyLogin(client, host, alice)).resolves.toBeUndefined();
    const wrong = verifyLogin(client, host, { username: 'alice', password: 'wrong-secret' });
    await expect(wrong).rejects.toMatchObject({ code: ErrorCode.Unauthenticated, message: 'unauthorized: incorrect username or password' });
    await expect(wrong).rejects.not.toThrow(/wrong-secret/);
  });
});
