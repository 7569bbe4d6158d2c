import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Hub } from '../registry/hub';
import { describeIntegration, Stack } from '../harness';
import { peersSkipReason, REGISTRY } from '../peer-registry';
import { pushLayout, writeLayout } from './oci-layout';
import { pushImage, ZSTD_LAYER, zstdImage } from './zstd-image';

// Images with a zstd layer, put in a registry by another client, pulled and run by a stack:
// always from Berth's Hub, and from registry:2 (pushed by skopeo) when the peers are here.
describeIntegration('zstd layers pulled through the stack', () => {
  const stack = new Stack();
  const hub = new Hub();
  const peers = peersSkipReason();
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/berth-it-zstd-');
    await hub.start();
    stack.up();
  }, 120_000);

  afterAll(async () => {
    stack.destroy();
    await hub.remove();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('pulls and runs a zstd image from the Hub', async () => {
    hub.admin(['user', 'add', 'alice', '--password-stdin'], 'zstd-secret\n');
    await pushImage(hub.addr, 'alice/zstd', 'v1', await zstdImage('zstd from the Hub'), `Basic ${Buffer.from('alice:zstd-secret').toString('base64')}`);
    const result = await stack.berth(['run', '--rm', `${hub.addr}/alice/zstd:v1`, 'cat', '/etc/berth-zstd'], { timeoutMs: 60_000 });
    expect(result.stdout).toBe('zstd from the Hub\n');
    expect(result.code).toBe(0);
    // The layer store is root's alone on the host; a container user still reads its files.
    const nobody = await stack.berth(['run', '--rm', '--user', '65534', `${hub.addr}/alice/zstd:v1`, 'cat', '/etc/berth-zstd']);
    expect(nobody.stdout).toBe('zstd from the Hub\n');
  }, 90_000);

  (peers ? it.skip : it)(`pulls and runs a zstd image skopeo put in registry:2${peers ? ` (SKIPPED: ${peers})` : ''}`, async () => {
    const ref = `${REGISTRY}/berth-it/zstd:t${Date.now()}`;
    const image = await zstdImage('zstd from registry:2');
    writeLayout(dir, image.manifest, image.blobs);
    pushLayout(dir, ref);
    expect(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' })).toContain(ZSTD_LAYER);
    const result = await stack.berth(['run', '--rm', ref, 'cat', '/etc/berth-zstd'], { timeoutMs: 60_000 });
    expect(result.stdout).toBe('zstd from registry:2\n');
    expect(result.code).toBe(0);
  }, 120_000);
});
