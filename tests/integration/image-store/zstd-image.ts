// A test image whose top layer is zstd-compressed: busybox (gzip) under a layer holding
// /etc/berth-zstd, which says `marker`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { MediaType } from '@berth/registry-client';
import { busyboxTar } from '../harness';
import { sha, tarOf } from '../peer-registry';

export const ZSTD_LAYER = 'application/vnd.oci.image.layer.v1.tar+zstd';

export interface TestImage {
  manifest: Buffer;
  // The config, then the layers.
  blobs: Buffer[];
  top: Buffer;
}

export async function zstdImage(marker: string): Promise<TestImage> {
  const base = readFileSync(busyboxTar());
  const tars = [base, await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/berth-zstd', body: `${marker}\n` }])];
  const layers = [gzipSync(base, { level: 1 }), execFileSync('zstd', ['-q', '-c'], { input: tars[1] })];
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: tars.map(sha) } }));
  const descriptor = (mediaType: string, data: Buffer) => ({ mediaType, digest: sha(data), size: data.length });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: descriptor(MediaType.OciConfig, config),
      layers: [descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layers[0]!), descriptor(ZSTD_LAYER, layers[1]!)],
    }),
  );
  return { manifest, blobs: [config, ...layers], top: layers[1]! };
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
