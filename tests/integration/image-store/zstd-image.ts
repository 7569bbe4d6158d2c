// A test image whose top layer is zstd-compressed: busybox (gzip) under a layer holding
// /etc/berth-zstd, which says `marker`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { MediaType } from '@berth/registry-client';
import { busyboxTar } from '../harness';
import { sha, tarOf } from '../peer-registry';
import { imageOf, type TestImage } from './oci-layout';

export const ZSTD_LAYER = 'application/vnd.oci.image.layer.v1.tar+zstd';

export async function zstdImage(marker: string): Promise<TestImage & { top: Buffer }> {
  const base = readFileSync(busyboxTar());
  const tars = [base, await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/berth-zstd', body: `${marker}\n` }])];
  const top = execFileSync('zstd', ['-q', '-c'], { input: tars[1] });
  const image = imageOf([
    { tar: base, blob: gzipSync(base, { level: 1 }), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    { tar: tars[1]!, blob: top, mediaType: ZSTD_LAYER },
  ]);
  return { ...image, top };
}

// Pushes an image over the registry API (monolithic uploads) with Basic credentials.
export async function pushImage(registry: string, repository: string, tag: string, image: TestImage, authorization: string): Promise<void> {
  const headers = { Authorization: authorization };
  for (const blob of image.blobs) {
    const start = await fetch(`http://${registry}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location') ?? '', `http://${registry}`);
    location.searchParams.set('digest', sha(blob));
    const put = await fetch(location, { method: 'PUT', headers: { ...headers, 'Content-Type': 'application/octet-stream' }, body: blob });
    if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
  }
  const put = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, { method: 'PUT', headers: { ...headers, 'Content-Type': MediaType.OciManifest }, body: image.manifest });
  if (put.status !== 201) throw new Error(`manifest: ${put.status} ${await put.text()}`);
}
