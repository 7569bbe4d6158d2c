// Writes the bench scripts' test images as OCI layouts: blobs under blobs/sha256, then the
// config, the manifest and index.json naming the image `img`.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

function blobsDir(layout) {
  const dir = join(layout, 'blobs/sha256');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function putBlob(layout, data) {
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(blobsDir(layout), hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

// `layers`: [{ descriptor, diffId }] already in the layout. Returns the manifest's descriptor.
function writeImage(layout, layers, configSection = {}) {
  const config = putBlob(
    layout,
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: configSection, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } })),
  );
  const manifest = putBlob(
    layout,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layers.map((l) => l.descriptor),
      }),
    ),
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'img' } }],
    }),
  );
  return manifest;
}

module.exports = { blobsDir, putBlob, writeImage };
