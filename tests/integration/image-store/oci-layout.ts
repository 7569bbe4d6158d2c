// Writes an OCI image layout (blobs, index.json naming the manifest `it`) and has skopeo push it
// to the peer registry, so Berth pulls images another client put there.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MediaType } from '@berth/registry-client';
import { sha } from '../peer-registry';

export interface TestImage {
  manifest: Buffer;
  // The config, then the layers.
  blobs: Buffer[];
}

// An OCI image (amd64, `sh`) of these layers: each its tar, its blob as stored and its media type.
export function imageOf(layers: Array<{ tar: Buffer; blob: Buffer; mediaType: string }>): TestImage {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l.tar)) } }));
  const descriptor = (mediaType: string, data: Buffer) => ({ mediaType, digest: sha(data), size: data.length });
  const manifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: descriptor(MediaType.OciConfig, config), layers: layers.map((l) => descriptor(l.mediaType, l.blob)) };
  return { manifest: Buffer.from(JSON.stringify(manifest)), blobs: [config, ...layers.map((l) => l.blob)] };
}

export function writeLayout(dir: string, manifest: Buffer, blobs: Buffer[]): void {
  const blobDir = join(dir, 'blobs/sha256');
  mkdirSync(blobDir, { recursive: true });
  for (const blob of [...blobs, manifest]) writeFileSync(join(blobDir, sha(blob).slice(7)), blob);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const entry = { mediaType: MediaType.OciManifest, digest: sha(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'it' } };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
}

export function pushLayout(dir: string, ref: string): void {
  execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${dir}:it`, `docker://${ref}`], { stdio: 'inherit', timeout: 60_000 });
}
