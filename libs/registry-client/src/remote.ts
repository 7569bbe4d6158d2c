import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BerthError, ErrorCode, digestMismatch } from '@berth/errors';
import { formatReference, type Reference } from '@berth/reference';
import type { Credentials } from './auth';
import { bodyChunks } from './http-get';
import { parseManifest, type Descriptor, type ImageManifest, type ParsedManifest } from './manifest';
import { MANIFEST_ACCEPT } from './media-types';
import { selectPlatform, type PlatformSpec } from './platform';
import type { RegistryClient, RegistrySession, RequestOptions } from './registry-client';
import { Attempt, backoff, classify, gaveUp, TransientError, withRetries } from './retry';

// Registries may not serve manifests larger than this (the distribution spec's own limit); image
// configs are held to the same, as containerd does: both are read whole into memory.
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = MAX_MANIFEST_BYTES;
const RETRY_CREDIT_BYTES = 1024 * 1024;

export interface FetchedManifest {
  digest: string;
  bytes: Buffer;
  parsed: ParsedManifest;
}

export interface ResolvedImage {
  // The digest the reference resolved to: an index's when the tag names an index (docker shows
  // this one as the RepoDigest).
  digest: string;
  // The platform's image manifest.
  manifestDigest: string;
  manifestMediaType: string;
  manifestBytes: Buffer;
  manifest: ImageManifest;
  // The index entry chosen, when there was an index.
  platformDescriptor?: Descriptor;
}

export interface ResolveOptions extends RequestOptions {
  platform?: PlatformSpec;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

// One repository of a registry, read-only: manifests by tag or digest, blobs by digest.
export class RemoteRepository {
  constructor(readonly session: RegistrySession) {}

  static open(client: RegistryClient, ref: Reference, credentials?: Credentials): RemoteRepository {
    return new RemoteRepository(client.session(ref, credentials));
  }

  ping(options: RequestOptions = {}): Promise<void> {
    return this.session.ping(options);
  }

  get ref(): Reference {
    return this.session.ref;
  }

  /*
   * A manifest or index by tag or digest. Its bytes are hashed and must match the digest asked
   * for, or else the registry's Docker-Content-Digest; over 4 MiB is refused before reading on.
   */
  async getManifest(tagOrDigest: string, options: RequestOptions = {}): Promise<FetchedManifest> {
    const what = `manifest ${this.session.repository}:${tagOrDigest}`;
    const pinned = tagOrDigest.startsWith('sha256:') ? tagOrDigest : undefined;
    return this.session.onEndpoints(options.signal, (endpoint) =>
      withRetries(this.session.policy, options.signal, what, async (attempt) => {
        const res = await this.session.send(endpoint, `manifests/${tagOrDigest}`, attempt, { headers: { Accept: MANIFEST_ACCEPT }, what, notFound: ErrorCode.ManifestUnknown });
        const length = Number(res.headers.get('content-length') ?? NaN);
        if (length > MAX_MANIFEST_BYTES) {
          await res.body?.cancel().catch(() => undefined);
          throw new BerthError(ErrorCode.PayloadTooLarge, `${what} is ${length} bytes: manifests over ${MAX_MANIFEST_BYTES} bytes are refused`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body ?? []) {
          attempt.touch();
          size += chunk.length;
          if (size > MAX_MANIFEST_BYTES) throw new BerthError(ErrorCode.PayloadTooLarge, `${what} is over ${MAX_MANIFEST_BYTES} bytes: refused`);
          chunks.push(Buffer.from(chunk));
        }
        const bytes = Buffer.concat(chunks);
        const digest = sha256(bytes);
        const headerDigest = res.headers.get('docker-content-digest') ?? undefined;
        const expected = pinned ?? (headerDigest?.startsWith('sha256:') ? headerDigest : undefined);
        if (expected !== undefined && expected !== digest) throw digestMismatch(`${what}: digest mismatch: expected ${expected}, got ${digest}`);
        return { digest, bytes, parsed: parseManifest(bytes, res.headers.get('content-type')) };
      }),
    );
  }

  // The image manifest the reference names for a platform, through an index if there is one.
  async resolve(options: ResolveOptions = {}): Promise<ResolvedImage> {
    const top = await this.getManifest(this.ref.digest ?? this.ref.tag ?? 'latest', options);
    if (top.parsed.kind === 'manifest') {
      return { digest: top.digest, manifestDigest: top.digest, manifestMediaType: top.parsed.mediaType, manifestBytes: top.bytes, manifest: top.parsed.manifest };
    }
    const chosen = selectPlatform(top.parsed.index.manifests, options.platform);
    const child = await this.getManifest(chosen.digest, options);
    if (child.parsed.kind !== 'manifest') {
      throw new BerthError(ErrorCode.ManifestInvalid, `${formatReference(this.ref)}: the index entry for the platform is itself an index (nested indexes are not supported)`);
    }
    // The body's own mediaType must be what the index said it is (containerd's check), or one
    // digest would name two different things.
    const declared = child.parsed.manifest.mediaType;
    if (declared !== undefined && declared !== chosen.mediaType) {
      throw new BerthError(ErrorCode.ManifestInvalid, `ambiguous manifest ${chosen.digest}: the index says ${chosen.mediaType}, its body says ${declared}`);
    }
    return { digest: top.digest, manifestDigest: child.digest, manifestMediaType: child.parsed.mediaType, manifestBytes: child.bytes, manifest: child.parsed.manifest, platformDescriptor: chosen };
  }

  // A small blob (an image config) read whole and verified.
  async readBlob(descriptor: Descriptor, options: RequestOptions = {}): Promise<Buffer> {
    if (descriptor.size > MAX_CONFIG_BYTES) throw new BerthError(ErrorCode.PayloadTooLarge, `blob ${descriptor.digest} is ${descriptor.size} bytes: too large to read whole`);
    const chunks: Buffer[] = [];
    for await (const chunk of this.fetchBlob(descriptor, options)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /*
   * A blob as a stream, verified as it arrives: more bytes than the descriptor says, or a digest
   * that does not match at the end, fail the stream (consumers must keep nothing then). A
   * connection that drops or goes quiet mid-blob is picked up again with a Range request from
   * where it stopped; a registry that ignores the range is read from the start and the bytes
   * already delivered are skipped.
   */
  fetchBlob(descriptor: Descriptor, options: RequestOptions = {}): Readable {
    return Readable.from(verified(descriptor, this.chunks(descriptor, options.signal)), { objectMode: false });
  }

  private async *chunks(descriptor: Descriptor, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
    const what = `blob ${descriptor.digest}`;
    const endpoints = await this.session.endpoints(signal);
    let delivered = 0;
    let failures = 0;
    let endpointIndex = 0;
    for (;;) {
      const endpoint = endpoints[endpointIndex]!;
      const attempt = new Attempt(signal, this.session.policy.inactivityTimeoutMs);
      try {
        const headers: Record<string, string> = delivered > 0 ? { Range: `bytes=${delivered}-` } : {};
        const res = await this.session.send(endpoint, `blobs/${descriptor.digest}`, attempt, { headers, what, notFound: ErrorCode.BlobUnknown, accept: [206] });
        let progress = 0;
        let skip = delivered > 0 && res.status !== 206 ? delivered : 0;
        for await (const raw of bodyChunks(res)) {
          attempt.touch();
          // A view, not a copy: each chunk's memory is handed over.
          let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
          if (skip > 0) {
            const dropped = Math.min(skip, chunk.length);
            skip -= dropped;
            chunk = chunk.subarray(dropped);
            if (chunk.length === 0) continue;
          }
          delivered += chunk.length;
          progress += chunk.length;
          // An attempt that moved the download on by a good stretch earns the retries back; a
          // registry that sends a trickle and stalls each time still runs out of them.
          if (progress >= RETRY_CREDIT_BYTES) failures = 0;
          yield chunk;
        }
        return;
      } catch (err) {
        const outcome = classify(err, attempt, signal);
        if (!(outcome instanceof TransientError)) {
          // A mirror that lacks the blob hands over to the next endpoint, from the start.
          if (endpoint.mirror && delivered === 0 && endpointIndex < endpoints.length - 1 && !(outcome instanceof BerthError && outcome.code === ErrorCode.Canceled)) {
            endpointIndex++;
            continue;
          }
          throw outcome;
        }
        failures++;
        if (failures > this.session.policy.retries) throw gaveUp(what, outcome, failures, attempt.timedOut);
        await backoff(this.session.policy, failures, signal);
      } finally {
        attempt.done();
      }
    }
  }
}

async function* verified(descriptor: Descriptor, source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > descriptor.size) throw digestMismatch(`blob ${descriptor.digest}: the registry sent more than the ${descriptor.size} bytes its descriptor says`);
    hash.update(chunk);
    yield chunk;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (size !== descriptor.size) throw digestMismatch(`blob ${descriptor.digest}: size mismatch: expected ${descriptor.size} bytes, got ${size}`);
  if (digest !== descriptor.digest) throw digestMismatch(`blob ${descriptor.digest}: digest mismatch: got ${digest}`);
}
