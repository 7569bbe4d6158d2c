import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCode, digestMismatch } from '@berth/errors';
import type { Endpoint } from './endpoints';
import type { Descriptor } from './manifest';
import type { RegistrySession, RequestOptions } from './registry-client';
import { Attempt, backoff, classify, gaveUp, TransientError } from './retry';

export interface UploadOptions extends RequestOptions {
  // Opens the blob's bytes from the start; called again for every attempt.
  open: () => Promise<Readable>;
  // Bytes the registry has so far.
  onProgress?: (sent: number) => void;
  // An upload session the registry already opened (a mount it answered with 202).
  location?: string;
}

const PROGRESS_STEP = 512 * 1024;

interface Hashed {
  hash: Hash;
  read: number;
}

/*
 * Streams one blob into an upload session: POST to open it (unless given), PATCH with the bytes
 * straight from `open()`, PUT ?digest= to close it. Every byte is hashed on the way out and a
 * local blob that does not match its descriptor is never committed. When the connection drops
 * or stalls mid-PATCH, the registry is asked how much it kept (GET on the upload) and the next
 * PATCH sends only the rest, with its Content-Range (the bytes before are read and hashed, not
 * sent); an upload the registry lost starts afresh.
 */
export async function uploadBlob(session: RegistrySession, endpoint: Endpoint, descriptor: Descriptor, options: UploadOptions): Promise<void> {
  const what = `upload of ${descriptor.digest}`;
  const { signal } = options;
  let location = options.location;
  let offset = 0;
  for (let failures = 0; ; ) {
    const attempt = new Attempt(signal, session.policy.inactivityTimeoutMs);
    try {
      location ??= await startUpload(session, endpoint, attempt, what);
      const hashed: Hashed = { hash: createHash('sha256'), read: 0 };
      const afterPatch = offset < descriptor.size ? await patch(session, endpoint, location, descriptor, offset, hashed, attempt, options) : location;
      if (offset >= descriptor.size) await drain(await options.open(), hashed, attempt);
      const digest = `sha256:${hashed.hash.digest('hex')}`;
      if (hashed.read !== descriptor.size || digest !== descriptor.digest) {
        await cancel(session, endpoint, afterPatch, attempt);
        throw digestMismatch(`local blob ${descriptor.digest} is corrupt: read ${hashed.read} bytes hashing to ${digest}`);
      }
      const put = await session.send(endpoint, '', attempt, {
        method: 'PUT',
        url: withQuery(afterPatch, endpoint.base, { digest: descriptor.digest }),
        what,
        notFound: ErrorCode.BlobUploadUnknown,
        headers: { 'Content-Length': '0' },
      });
      await put.body?.cancel().catch(() => undefined);
      return;
    } catch (err) {
      const outcome = classify(err, attempt, signal);
      if (!(outcome instanceof TransientError)) throw outcome;
      failures++;
      if (failures > session.policy.retries) throw gaveUp(what, outcome, failures, attempt.timedOut);
      await backoff(session.policy, failures, signal);
      const kept = location ? await uploadStatus(session, endpoint, location, signal) : undefined;
      location = kept?.location;
      offset = kept?.size ?? 0;
    } finally {
      attempt.done();
    }
  }
}

async function patch(
  session: RegistrySession,
  endpoint: Endpoint,
  location: string,
  descriptor: Descriptor,
  offset: number,
  hashed: Hashed,
  attempt: Attempt,
  options: UploadOptions,
): Promise<string> {
  const length = descriptor.size - offset;
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length) };
  if (offset > 0) headers['Content-Range'] = `${offset}-${descriptor.size - 1}`;
  const res = await session.send(endpoint, '', attempt, {
    method: 'PATCH',
    url: location,
    what: `upload of ${descriptor.digest}`,
    notFound: ErrorCode.BlobUploadUnknown,
    headers,
    accept: [416],
    // Opened lazily, afresh for a second send after a 401.
    body: () => {
      hashed.hash = createHash('sha256');
      hashed.read = 0;
      return Readable.toWeb(Readable.from(sending(options, hashed, offset, attempt))) as ReadableStream<Uint8Array>;
    },
  });
  await res.body?.cancel().catch(() => undefined);
  // The registry was still storing the dropped attempt's bytes when it told us its size.
  if (res.status === 416) throw new TransientError(`upload of ${descriptor.digest}: the registry holds a different part of the upload than it said`);
  return res.headers.get('location') ?? location;
}

// The blob's bytes from `offset` on, every byte before and after hashed.
async function* sending(options: UploadOptions, hashed: Hashed, offset: number, attempt: Attempt): AsyncGenerator<Buffer> {
  let reported = 0;
  for await (const raw of await options.open()) {
    const chunk = raw as Buffer;
    attempt.touch();
    hashed.hash.update(chunk);
    const start = hashed.read;
    hashed.read += chunk.length;
    if (hashed.read <= offset) continue;
    if (hashed.read - reported >= PROGRESS_STEP) {
      reported = hashed.read;
      options.onProgress?.(hashed.read);
    }
    yield start >= offset ? chunk : chunk.subarray(offset - start);
  }
  options.onProgress?.(hashed.read);
}

async function drain(source: Readable, hashed: Hashed, attempt: Attempt): Promise<void> {
  for await (const chunk of source) {
    attempt.touch();
    hashed.hash.update(chunk as Buffer);
    hashed.read += (chunk as Buffer).length;
  }
}

async function startUpload(session: RegistrySession, endpoint: Endpoint, attempt: Attempt, what: string): Promise<string> {
  const res = await session.send(endpoint, 'blobs/uploads/', attempt, { method: 'POST', what, notFound: ErrorCode.NameUnknown, headers: { 'Content-Length': '0' } });
  await res.body?.cancel().catch(() => undefined);
  const location = res.headers.get('location');
  if (!location) throw new TransientError(`${what}: the registry opened an upload without a Location`);
  return location;
}

/*
 * GET on an upload: how many bytes the registry holds (`Range: 0-N`) and where to go on. An
 * upload it no longer knows, or a range that cannot be read exactly ("0-0" is one byte or none),
 * means starting afresh.
 */
async function uploadStatus(session: RegistrySession, endpoint: Endpoint, location: string, signal: AbortSignal | undefined): Promise<{ location: string; size: number } | undefined> {
  const attempt = new Attempt(signal, session.policy.inactivityTimeoutMs);
  try {
    const res = await session.send(endpoint, '', attempt, { url: location, what: 'upload status', notFound: ErrorCode.BlobUploadUnknown });
    await res.body?.cancel().catch(() => undefined);
    const range = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get('range') ?? '');
    const end = range ? Number(range[1]) : 0;
    if (end === 0) return undefined;
    return { location: res.headers.get('location') ?? location, size: end + 1 };
  } catch {
    return undefined;
  } finally {
    attempt.done();
  }
}

async function cancel(session: RegistrySession, endpoint: Endpoint, location: string, attempt: Attempt): Promise<void> {
  await session
    .send(endpoint, '', attempt, { method: 'DELETE', url: location, what: 'cancel upload', notFound: ErrorCode.BlobUploadUnknown })
    .then((res) => res.body?.cancel())
    .catch(() => undefined);
}

// Adds query parameters to an upload Location, which may be relative and carry its own.
function withQuery(location: string, base: string, params: Record<string, string>): string {
  const url = new URL(location, base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
