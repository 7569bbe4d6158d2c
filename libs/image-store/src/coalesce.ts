import { Transform } from 'node:stream';

/*
 * Gathers small chunks into ones of at least `minBytes`. A download arrives in ~60 KiB pieces, and
 * every piece downstream costs a thread-pool round trip for the blob write and another for the
 * inflate: for a 150 MB layer that is thousands of trips, several times the cost of the bytes.
 */
export function coalesce(minBytes: number): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < minBytes) return callback();
      const joined = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      callback(null, joined);
    },
    flush(callback) {
      callback(null, pendingBytes > 0 ? Buffer.concat(pending, pendingBytes) : undefined);
    },
  });
}
