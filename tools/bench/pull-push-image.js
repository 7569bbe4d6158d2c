// pull-push-bench.sh's test image: `node pull-push-image.js LAYOUT BUSYBOX_TAR` writes an OCI
// layout whose image `img` has three gzipped layers: busybox, 150 MB of random bytes (does not
// compress) and 25 MB of text (compresses well). Prints the layers' total compressed size.
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const { createReadStream, createWriteStream, renameSync } = require('node:fs');
const { join } = require('node:path');
const { pipeline } = require('node:stream/promises');
const { PassThrough } = require('node:stream');
const zlib = require('node:zlib');
const tar = require('tar-stream');
const { blobsDir, writeImage } = require('./oci-layout');

const [layout, busybox] = process.argv.slice(2);
const blobs = blobsDir(layout);

function tap(hash, onBytes) {
  return new PassThrough({
    transform(chunk, _enc, done) {
      hash.update(chunk);
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
}

// Gzips a tar stream into the layout; returns its descriptor and diff ID.
async function layer(name, tarStream) {
  const diff = createHash('sha256');
  const compressed = createHash('sha256');
  let size = 0;
  const temp = join(blobs, `tmp-${name}`);
  await pipeline(tarStream, tap(diff), zlib.createGzip({ level: 6 }), tap(compressed, (n) => (size += n)), createWriteStream(temp));
  const hex = compressed.digest('hex');
  renameSync(temp, join(blobs, hex));
  return { descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size }, diffId: `sha256:${diff.digest('hex')}` };
}

// A tar of one file whose bytes come from `chunks` (an async generator of Buffers).
function fileTar(path, size, chunks) {
  const pack = tar.pack();
  (async () => {
    const entry = pack.entry({ name: path, size, mode: 0o644 });
    for await (const chunk of chunks) if (!entry.write(chunk)) await new Promise((ok) => entry.once('drain', ok));
    entry.end();
    pack.finalize();
  })().catch((err) => pack.destroy(err));
  return pack;
}

async function* random(total) {
  for (let left = total; left > 0; left -= 1 << 20) yield randomBytes(Math.min(left, 1 << 20));
}

async function* text(total) {
  const words = ['berth', 'container', 'layer', 'registry', 'manifest', 'digest', 'pull', 'push', 'image', 'runtime'];
  let n = 0;
  for (let left = total; left > 0; ) {
    let line = '';
    while (line.length < 4000) line += `${n++} ${words[n % words.length]} ${words[(n * 7) % words.length]}\n`;
    const chunk = Buffer.from(line.slice(0, Math.min(line.length, left)));
    left -= chunk.length;
    yield chunk;
  }
}

async function main() {
  const layers = [
    await layer('busybox', createReadStream(busybox)),
    await layer('random', fileTar('data/random.bin', 150e6, random(150e6))),
    await layer('text', fileTar('data/text.log', 25e6, text(25e6))),
  ];
  writeImage(layout, layers, { Cmd: ['sh'] });
  console.log(layers.reduce((sum, l) => sum + l.descriptor.size, 0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
