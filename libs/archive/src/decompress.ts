import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { externallyDecoded, type ExternalFormat } from './external-decoder';
import { zstdDecoded } from './zstd';

export type Compression = 'none' | 'gzip' | 'zstd' | ExternalFormat;

export interface DecompressOptions {
  // Stop a decompression bomb inside the decoder, before its output piles up.
  maxSize?: number;
}

const MAGIC: Array<[Exclude<Compression, 'none'>, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];
const HEAD_BYTES = 6;

function sniff(head: Buffer): Compression {
  for (const [kind, magic] of MAGIC) if (magic.every((byte, i) => head[i] === byte)) return kind;
  return 'none';
}

// Reads the first bytes and hands back a stream that replays them before the rest.
async function peek(input: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < HEAD_BYTES && !ended) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  const stream = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  return { head, stream };
}

/*
 * Returns the stream uncompressed. The compression is recognised by its magic bytes, whatever the
 * layer's media type says (as docker and containerd read layers): gzip, zstd, xz, bzip2 (the last
 * two as `docker load` reads them), or a plain tar.
 */
export async function decompressed(input: Readable, options: DecompressOptions = {}): Promise<Readable> {
  const { head, stream } = await peek(input);
  const found = sniff(head);
  if (found === 'none') return stream;
  if (found === 'zstd') return Readable.from(zstdDecoded(stream, options.maxSize));
  if (found === 'xz' || found === 'bzip2') return externallyDecoded(stream, found);
  // Large output chunks: each one is hashed, parsed and written once, so fewer means less overhead.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  pipeline(stream, gunzip, () => undefined);
  return gunzip;
}
