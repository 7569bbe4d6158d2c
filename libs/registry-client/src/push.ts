import { createHash } from 'node:crypto';
import { BerthError, ErrorCode, digestMismatch, isBerthError } from '@berth/errors';
import { uploadBlob, type UploadOptions } from './upload';
import type { Reference } from '@berth/reference';
import type { Credentials } from './auth';
import type { Descriptor } from './manifest';
import type { RegistryClient, RegistrySession, RequestOptions } from './registry-client';
import { withRetries, type Attempt } from './retry';

export type { UploadOptions } from './upload';

export type MountOutcome = { mounted: true } | { mounted: false; location?: string };

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

  // Streams a blob into the repository (see upload.ts); resumes where a dropped PATCH stopped.
  async uploadBlob(descriptor: Descriptor, options: UploadOptions): Promise<void> {
    const endpoints = await this.session.endpoints(options.signal);
    await pushErrors(() => uploadBlob(this.session, endpoints[endpoints.length - 1]!, descriptor, options));
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

  // Writes go to the registry itself, never to a mirror.
  private async registryOnly<T>(options: RequestOptions, what: string, fn: (endpoint: { base: string; mirror: boolean }, attempt: Attempt) => Promise<T>): Promise<T> {
    const endpoints = await this.session.endpoints(options.signal);
    const endpoint = endpoints[endpoints.length - 1]!;
    return withRetries(this.session.policy, options.signal, what, (attempt) => fn(endpoint, attempt));
  }
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
