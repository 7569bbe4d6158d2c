import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { BerthError, ErrorCode, digestMismatch, isBerthError } from '@berth/errors';
import type { Reference } from '@berth/reference';
import type { Credentials } from './auth';
import type { Descriptor } from './manifest';
import type { RegistryClient, RegistrySession, RequestOptions } from './registry-client';
import { withRetries, type Attempt } from './retry';

export interface UploadOptions extends RequestOptions {
  // Opens the blob's bytes from the start; called again for every attempt.
  open: () => Promise<Readable>;
  // Bytes sent so far in this attempt.
  onProgress?: (sent: number) => void;
  // An upload session the registry already opened (a mount it answered with 202).
  location?: string;
}

export type MountOutcome = { mounted: true } | { mounted: false; location?: string };

const PROGRESS_STEP = 512 * 1024;

/*
 * One repository of a registry, written to: which blobs it has, cross-repository mounts,
 * streamed blob uploads and manifests. The session asks for push (and pull on every repository
 * blobs may be mounted from), so one token serves the whole push.
 */
export class RemotePushTarget {
  constructor(readonly session: RegistrySession) {}

  static open(client: RegistryClient, ref: Reference, credentials: Credentials | undefined, mountSources: readonly string[] = []): RemotePushTarget {
    const scopes = [`repository:${ref.path}:pull,push`, ...mountSources.map((from) => `repository:${from}:pull`)];
    return new RemotePushTarget(client.session(ref, credentials, scopes));
  }

  // HEAD /v2/NAME/blobs/DIGEST: whether the repository already has the blob.
  async hasBlob(digest: string, options: RequestOptions = {}): Promise<boolean> {
    const what = `blob ${digest}`;
    return pushErrors(() =>
      this.session.onEndpoints(options.signal, (endpoint) =>
        withRetries(this.session.policy, options.signal, what, async (attempt) => {
          const res = await this.session.send(endpoint, `blobs/${digest}`, attempt, { method: 'HEAD', what, notFound: ErrorCode.BlobUnknown, accept: [404] });
          await res.body?.cancel().catch(() => undefined);
          return res.status !== 404;
        }),
      ),
    );
  }

  /*
   * POST /v2/NAME/blobs/uploads/?mount=DIGEST&from=REPO. 201: mounted. 202: the registry could
   * not (the blob is not visible there) and opened an upload instead, which the caller uses.
   */
  async mountBlob(digest: string, from: string, options: RequestOptions = {}): Promise<MountOutcome> {
    const what = `mount of ${digest} from ${from}`;
    const query = new URLSearchParams({ mount: digest, from });
    return pushErrors(() =>
      this.registryOnly(options, what, async (endpoint, attempt) => {
        const res = await this.session.send(endpoint, `blobs/uploads/?${query.toString()}`, attempt, { method: 'POST', what, notFound: ErrorCode.BlobUnknown, headers: { 'Content-Length': '0' } });
        await res.body?.cancel().catch(() => undefined);
        if (res.status === 201) return { mounted: true };
        return { mounted: false, ...(res.headers.get('location') ? { location: res.headers.get('location')! } : {}) };
      }),
    );
  }

  /*
   * Streams a blob: POST to open an upload (unless one is given), one PATCH carrying every byte
   * straight from `open()`, then PUT ?digest= to close it. The bytes are hashed on the way out
   * and a local blob that does not match its descriptor is never committed. A failure in transit
   * starts a fresh upload (the registry discards the abandoned one).
   */
  async uploadBlob(descriptor: Descriptor, options: UploadOptions): Promise<void> {
    const what = `upload of ${descriptor.digest}`;
    let given = options.location;
    await pushErrors(() =>
      this.registryOnly(options, what, async (endpoint, attempt) => {
        const location = given ?? (await this.startUpload(endpoint.base, attempt, what));
        given = undefined;
        let hash = createHash('sha256');
        let sent = 0;
        let reported = 0;
        const body = async (): Promise<Readable> => {
          hash = createHash('sha256');
          sent = 0;
          const counter = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              attempt.touch();
              hash.update(chunk);
              sent += chunk.length;
              if (sent - reported >= PROGRESS_STEP || sent === descriptor.size) {
                reported = sent;
                options.onProgress?.(sent);
              }
              callback(null, chunk);
            },
          });
          const source = await options.open();
          source.on('error', (err) => counter.destroy(err));
          return source.pipe(counter);
        };
        const patch = await this.session.send(endpoint, '', attempt, {
          method: 'PATCH',
          url: location,
          what,
          notFound: ErrorCode.BlobUploadUnknown,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(descriptor.size) },
          // Opened lazily, afresh for a second send after a 401.
          body: () => Readable.toWeb(Readable.from(reopen(body))) as ReadableStream<Uint8Array>,
        });
        await patch.body?.cancel().catch(() => undefined);
        const digest = `sha256:${hash.digest('hex')}`;
        if (sent !== descriptor.size || digest !== descriptor.digest) {
          await this.cancelUpload(endpoint.base, patch.headers.get('location') ?? location, attempt);
          throw digestMismatch(`local blob ${descriptor.digest} is corrupt: read ${sent} bytes hashing to ${digest}`);
        }
        const next = withQuery(patch.headers.get('location') ?? location, endpoint.base, { digest: descriptor.digest });
        const put = await this.session.send(endpoint, '', attempt, { method: 'PUT', url: next, what, notFound: ErrorCode.BlobUploadUnknown, headers: { 'Content-Length': '0' } });
        await put.body?.cancel().catch(() => undefined);
      }),
    );
  }

  // PUT /v2/NAME/manifests/REF with the exact bytes, so the digest stays the one they hash to.
  async putManifest(tagOrDigest: string, bytes: Buffer, mediaType: string, options: RequestOptions = {}): Promise<string> {
    const what = `manifest ${this.session.repository}:${tagOrDigest}`;
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    return pushErrors(() =>
      this.registryOnly(options, what, async (endpoint, attempt) => {
        const res = await this.session.send(endpoint, `manifests/${tagOrDigest}`, attempt, {
          method: 'PUT',
          what,
          notFound: ErrorCode.ManifestBlobUnknown,
          headers: { 'Content-Type': mediaType },
          body: () => bytes,
        });
        await res.body?.cancel().catch(() => undefined);
        const answered = res.headers.get('docker-content-digest');
        if (answered && answered !== digest) throw digestMismatch(`${what}: the registry stored ${answered}, not ${digest}`);
        return digest;
      }),
    );
  }

  private async startUpload(base: string, attempt: Attempt, what: string): Promise<string> {
    const endpoint = { base, mirror: false };
    const res = await this.session.send(endpoint, 'blobs/uploads/', attempt, { method: 'POST', what, notFound: ErrorCode.NameUnknown, headers: { 'Content-Length': '0' } });
    await res.body?.cancel().catch(() => undefined);
    const location = res.headers.get('location');
    if (!location) throw new BerthError(ErrorCode.Unavailable, `${what}: the registry opened an upload without a Location`);
    return location;
  }

  private async cancelUpload(base: string, location: string, attempt: Attempt): Promise<void> {
    await this.session
      .send({ base, mirror: false }, '', attempt, { method: 'DELETE', url: location, what: 'cancel upload', notFound: ErrorCode.BlobUploadUnknown })
      .then((res) => res.body?.cancel())
      .catch(() => undefined);
  }

  // Writes go to the registry itself, never to a mirror.
  private async registryOnly<T>(options: RequestOptions, what: string, fn: (endpoint: { base: string; mirror: boolean }, attempt: Attempt) => Promise<T>): Promise<T> {
    const endpoints = await this.session.endpoints(options.signal);
    const endpoint = endpoints[endpoints.length - 1]!;
    return withRetries(this.session.policy, options.signal, what, (attempt) => fn(endpoint, attempt));
  }
}

async function* reopen(open: () => Promise<Readable>): AsyncGenerator<Buffer> {
  for await (const chunk of await open()) yield chunk as Buffer;
}

// Adds query parameters to an upload Location, which may be relative and carry its own.
function withQuery(location: string, base: string, params: Record<string, string>): string {
  const url = new URL(location, base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

// The registry client words a 401 for pulls; a push that is refused says what docker says.
async function pushErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isBerthError(err, ErrorCode.Unauthenticated) && err.message.startsWith('pull access denied')) {
      throw new BerthError(ErrorCode.Unauthenticated, 'unauthorized: authentication required');
    }
    if (isBerthError(err, ErrorCode.PermissionDenied)) throw new BerthError(ErrorCode.PermissionDenied, 'denied: requested access to the resource is denied');
    throw err;
  }
}
