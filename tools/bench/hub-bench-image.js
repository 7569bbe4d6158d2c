// hub-bench.sh's test image: `node hub-bench-image.js LAYOUT LAYERS BYTES` writes an OCI layout
// whose image `img` has LAYERS layers, each a gzipped tar of one file of BYTES random bytes.
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const { createWriteStream, mkdirSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { pipeline } = require('node:stream/promises');
const { PassThrough } = require('node:stream');
const zlib = require('node:zlib');
const tar = require('tar-stream');

const [layout, layerCount, layerBytes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const blobs = join(layout, 'blobs/sha256');
mkdirSync(blobs, { recursive: true });

const putBlob = (data) => {
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(blobs, hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
};

async function layer(i) {
  const pack = tar.pack();
  const diff = createHash('sha256');
  const compressed = createHash('sha256');
  let size = 0;
  const temp = join(blobs, `tmp-${i}`);
  const tap = (hash, count) =>
    new PassThrough({
      transform(chunk, _enc, done) {
        hash.update(chunk);
        if (count) size += chunk.length;
        done(null, chunk);
      },
    });
  const entry = pack.entry({ name: `data-${i}.bin`, size: layerBytes });
  const written = pipeline(pack, tap(diff, false), zlib.createGzip({ level: 1 }), tap(compressed, true), createWriteStream(temp));
  for (let left = layerBytes; left > 0; left -= 1 << 20) {
    const chunk = randomBytes(Math.min(left, 1 << 20));
    if (!entry.write(chunk)) await new Promise((ok) => entry.once('drain', ok));
  }
  entry.end();
  pack.finalize();
  await written;
  const hex = compressed.digest('hex');
  renameSync(temp, join(blobs, hex));
  return { descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size }, diffId: `sha256:${diff.digest('hex')}` };
}

async function main() {
  const layers = [];
  for (let i = 0; i < layerCount; i += 1) layers.push(await layer(i));
  const config = putBlob(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } })),
  );
  const manifest = putBlob(
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
  console.log(manifest.digest);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
