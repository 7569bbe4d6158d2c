// hub-bench.sh's test image: `node hub-bench-image.js LAYOUT LAYERS BYTES` writes an OCI layout
// whose image `img` has LAYERS layers, each a gzipped tar of one file of BYTES random bytes.
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const { createWriteStream, renameSync } = require('node:fs');
const { join } = require('node:path');
const { pipeline } = require('node:stream/promises');
const { PassThrough } = require('node:stream');
const zlib = require('node:zlib');
const tar = require('tar-stream');
const { blobsDir, writeImage } = require('./oci-layout');

const [layout, layerCount, layerBytes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const blobs = blobsDir(layout);

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
  const manifest = writeImage(layout, layers);
  console.log(manifest.digest);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
