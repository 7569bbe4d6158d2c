// Helpers for tests that put images into the peer registry (registry:2 on 127.0.0.1:5001, from
// ../shared/peers/setup.sh) with skopeo, so Berth pulls images it did not push itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { busyboxTar } from './harness';

export const REGISTRY = '127.0.0.1:5001';

export function peersSkipReason(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v skopeo']).status !== 0) return 'skopeo is not installed (run ../shared/peers/setup.sh)';
  if (spawnSync('curl', ['-fsS', '-o', '/dev/null', '--max-time', '3', `http://${REGISTRY}/v2/`]).status !== 0) return `registry:2 is not answering on ${REGISTRY} (run ../shared/peers/setup.sh)`;
  return undefined;
}

export function dockerSkipReason(): string | undefined {
  if (spawnSync('docker', ['image', 'inspect', 'busybox:peer'], { stdio: 'ignore', timeout: 30_000 }).status !== 0) {
    return 'docker with the busybox:peer image is not available (run ../shared/peers/setup.sh)';
  }
  return undefined;
}

export const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export async function tarOf(entries: Array<{ name: string; body?: string | Buffer; type?: 'directory' }>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) p.entry({ name: e.name, mode: e.type ? 0o755 : 0o644, type: e.type ?? 'file' }, e.body ?? '');
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

// An OCI image layout of busybox plus a layer holding /etc/berth-pulled (which says `marker`)
// and, with `bulk`, that many random bytes; pushed to the peer registry as `ref` with skopeo.
// Returns the short IDs of the layers, as the progress shows them.
export async function pushTestImage(dir: string, ref: string, marker: string, bulk = 0): Promise<string[]> {
  const blobs = join(dir, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer): { digest: string; size: number } => {
    const digest = sha(data);
    writeFileSync(join(blobs, digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const base = readFileSync(busyboxTar());
  const tars = [base, await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/berth-pulled', body: `${marker}\n` }])];
  if (bulk > 0) tars.push(await tarOf([{ name: 'bulk', body: randomBytes(bulk) }]));
  const layers = tars.map((t) => put(gzipSync(t, { level: 1 })));
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: tars.map(sha) } })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l })),
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'it' } }] }));
  execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${dir}:it`, `docker://${ref}`], { stdio: 'inherit', timeout: 60_000 });
  return layers.map((l) => l.digest.slice(7, 19));
}
