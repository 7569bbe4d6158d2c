import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImageStore, type PullProgress } from '@berth/image-store';
import { RegistryClient } from '@berth/registry-client';
import { peersSkipReason, REGISTRY, sha, tarOf } from '../peer-registry';
import { busyboxTar, integrationSkipReason } from '../harness';
import { imageOf, pushLayout, writeLayout } from './oci-layout';

// Writes an OCI image layout (busybox, then a gzip layer with a whiteout on top) that skopeo can
// push; returns the layers' diff IDs.
async function writeImage(dir: string): Promise<string[]> {
  const base = readFileSync(busyboxTar());
  const top = await tarOf([{ name: 'bin/', type: 'directory' }, { name: 'bin/.wh.vi' }, { name: 'etc/', type: 'directory' }, { name: 'etc/berth-pulled', body: 'yes\n' }]);
  const gzip = 'application/vnd.oci.image.layer.v1.tar+gzip';
  const image = imageOf([base, top].map((tar) => ({ tar, blob: gzipSync(tar), mediaType: gzip })));
  writeLayout(dir, image.manifest, image.blobs);
  return [sha(base), sha(top)];
}

const reason = integrationSkipReason() ?? peersSkipReason();
const describePeers = reason ? describe.skip : describe;
if (reason) process.stderr.write(`SKIPPED integration suite "pull from registry:2": ${reason}\n`);

describePeers(`pull from registry:2${reason ? ` (SKIPPED: ${reason})` : ''}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync('/tmp/berth-it-pull-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pulls a multi-layer image skopeo pushed, unpacks its layers, and finds them on a second pull', async () => {
    const layout = join(dir, 'layout');
    const diffIds = await writeImage(layout);
    const tag = `t${Date.now()}`;
    const ref = `${REGISTRY}/berth-it/pull:${tag}`;
    pushLayout(layout, ref);

    const store = new ImageStore(join(dir, 'store'), { registry: new RegistryClient({ inactivityTimeoutMs: 10_000 }) });
    await store.open();
    const events: PullProgress[] = [];
    const image = await store.pull(ref, { onProgress: (e) => events.push(e) });
    expect(image.repoTags).toEqual([ref]);
    expect(image.diffIds).toEqual(diffIds);
    expect(image.repoDigests[0]).toBe(`${REGISTRY}/berth-it/pull@${image.pulledDigest}`);
    expect(events.filter((e) => e.type === 'layer' && e.status === 'complete')).toHaveLength(2);

    const snap = await store.prepareSnapshot('it', image.id);
    const [upper, lower] = (snap.mounts[0]?.options ?? []).find((o) => o.startsWith('lowerdir='))!.slice('lowerdir='.length).split(':') as [string, string];
    expect(lstatSync(join(lower, 'bin/busybox')).isFile()).toBe(true);
    expect(lstatSync(join(lower, 'bin/vi')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(upper, 'bin/vi')).isCharacterDevice()).toBe(true);
    expect(readFileSync(join(upper, 'etc/berth-pulled'), 'utf8')).toBe('yes\n');
    await store.removeSnapshot('it');

    const again: PullProgress[] = [];
    const second = await store.pull(ref, { onProgress: (e) => again.push(e) });
    expect(second.upToDate).toBe(true);
    expect(again.filter((e) => e.type === 'layer').map((e) => (e.type === 'layer' ? e.status : ''))).toEqual(['exists', 'exists']);
  });
});
