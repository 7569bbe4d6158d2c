import type { Readable } from 'node:stream';
import { BerthError, ErrorCode, isBerthError, notFound } from '@berth/errors';
import type { ContentStore } from '@berth/content-store';
import { familiarName, formatReference, parseReference, repositoryName, withDefaultTag, type Reference } from '@berth/reference';
import { MediaType, RemotePushTarget, type Credentials, type Descriptor, type MountOutcome, type RegistryClient } from '@berth/registry-client';
import type { ImageRecord, MetadataStore } from './metadata-store';
import type { OciManifest } from './oci';
import { runPool } from './pull';
import { shortId } from './pull-progress';

// What a push reports as it goes, shaped after docker's push progress. `id` is the short ID of
// the layer's diff ID, as docker push prints it; `from` names the repository a blob was mounted
// from.
export type PushLayerStatus = 'preparing' | 'waiting' | 'pushing' | 'pushed' | 'exists' | 'mounted';

export type PushProgress =
  | { type: 'resolved'; reference: string; digest: string; layers: Array<{ id: string; digest: string; size: number }> }
  | { type: 'layer'; id: string; digest: string; status: PushLayerStatus; current?: number; total?: number; from?: string }
  | { type: 'done'; reference: string; digest: string; imageId: string; size: number };

export type PushListener = (event: PushProgress) => void;

export interface PushOptions {
  signal?: AbortSignal;
  onProgress?: PushListener;
  credentials?: Credentials;
  // Blobs uploaded at once (docker's max-concurrent-uploads is 5).
  concurrency?: number;
}

export interface PushResult {
  reference: string;
  digest: string;
  imageId: string;
  // The manifest's size in bytes, as docker prints it.
  size: number;
}

export interface PushContext {
  content: ContentStore;
  metadata: MetadataStore;
  registry: RegistryClient;
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

const DEFAULT_CONCURRENCY = 5;

interface BlobJob {
  id: string;
  descriptor: Descriptor;
}

/*
 * Pushes a tagged image to the registry its tag names: each layer blob, then the config, then
 * the very manifest bytes the image was pulled or imported with, so its digest is unchanged.
 * Blobs the repository has are skipped (HEAD); blobs this store knows to live in another
 * repository of the same registry are mounted from there; the rest stream from the content
 * store. The image then records the pushed RepoDigest, as docker's does.
 */
export async function pushImage(ctx: PushContext, input: string, options: PushOptions = {}): Promise<PushResult> {
  const parsed = parseReference(input);
  if (parsed.digest !== undefined) throw new BerthError(ErrorCode.InvalidArgument, `cannot push a digest reference: ${input}`);
  const ref = withDefaultTag(parsed);
  const reference = formatReference(ref);
  const emit = safeListener(options.onProgress);
  const imageId = ctx.metadata.tagTarget(reference);
  const record = imageId ? ctx.metadata.image(imageId) : undefined;
  if (!record) throw notFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
  const manifestBytes = await readSmall(ctx.content, record.manifestDigest);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as OciManifest;
  const mediaType = manifest.mediaType || MediaType.OciManifest;
  const blobs: BlobJob[] = [];
  manifest.layers.forEach((descriptor, index) => {
    const diffId = record.config.rootfs.diff_ids[index] ?? descriptor.digest;
    if (!blobs.some((b) => b.descriptor.digest === descriptor.digest)) blobs.push({ id: shortId(diffId), descriptor });
  });
  for (const { descriptor } of [...blobs, { descriptor: manifest.config }]) {
    if (!(await ctx.content.info(descriptor.digest))) throw notFound(`blob ${descriptor.digest} of ${reference} is missing from the store: pull the image again`);
  }
  // docker lists the top layer first.
  blobs.reverse();
  const sources = mountSources(ctx.metadata, ref);
  const target = RemotePushTarget.open(ctx.registry, ref, options.credentials, [...new Set([...sources.values()].flat())]);
  emit({ type: 'resolved', reference, digest: '', layers: blobs.map((b) => ({ id: b.id, digest: b.descriptor.digest, size: b.descriptor.size })) });
  for (const blob of blobs) emit({ type: 'layer', id: blob.id, digest: blob.descriptor.digest, status: 'preparing' });
  // As docker: the layers beyond the first `concurrency` wait for a slot.
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  for (const blob of blobs.slice(concurrency)) emit({ type: 'layer', id: blob.id, digest: blob.descriptor.digest, status: 'waiting' });
  await runPool(blobs, concurrency, options.signal, async (blob, signal) => {
    const status = await pushBlob(ctx, target, blob, sources.get(blob.descriptor.digest) ?? [], signal, emit);
    emit({ type: 'layer', id: blob.id, digest: blob.descriptor.digest, ...status });
  });
  await pushBlob(ctx, target, { id: '', descriptor: manifest.config }, sources.get(manifest.config.digest) ?? [], options.signal, () => undefined);
  const digest = await target.putManifest(ref.tag ?? 'latest', manifestBytes, mediaType, { signal: options.signal });
  await ctx.exclusive(() => recordRepoDigest(ctx.metadata, record.id, `${repositoryName(ref)}@${digest}`));
  const result = { reference, digest, imageId: record.id, size: manifestBytes.length };
  emit({ type: 'done', ...result });
  return result;
}

// Skip, mount or upload one blob; what it ended as.
async function pushBlob(
  ctx: PushContext,
  target: RemotePushTarget,
  blob: BlobJob,
  sources: string[],
  signal: AbortSignal | undefined,
  emit: PushListener,
): Promise<{ status: PushLayerStatus; from?: string }> {
  const { descriptor } = blob;
  if (await target.hasBlob(descriptor.digest, { signal })) return { status: 'exists' };
  let location: string | undefined;
  for (const from of sources) {
    const outcome: MountOutcome = await target.mountBlob(descriptor.digest, from, { signal }).catch((err: unknown) => {
      if (isBerthError(err, ErrorCode.Canceled)) throw err;
      // A source this caller may not read is no reason to fail: upload instead.
      return { mounted: false as const };
    });
    // docker names the source by its path on the registry: "Mounted from library/busybox".
    if (outcome.mounted) return { status: 'mounted', from };
    location = outcome.location;
    break;
  }
  emit({ type: 'layer', id: blob.id, digest: descriptor.digest, status: 'pushing', current: 0, total: descriptor.size });
  // The registry may answer before the body's last progress report runs; none may follow "Pushed".
  let uploaded = false;
  await target.uploadBlob(descriptor, {
    signal,
    ...(location ? { location } : {}),
    open: (): Promise<Readable> => ctx.content.reader(descriptor.digest),
    onProgress: (sent) => {
      if (!uploaded) emit({ type: 'layer', id: blob.id, digest: descriptor.digest, status: 'pushing', current: sent, total: descriptor.size });
    },
  });
  uploaded = true;
  return { status: 'pushed' };
}

/*
 * Where each blob is known to live on the target's registry, other than the target repository:
 * the repositories images holding it were pulled from or pushed to (their RepoDigests).
 */
function mountSources(metadata: MetadataStore, ref: Reference): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  for (const image of metadata.images()) {
    const repos = (image.repoDigests ?? [])
      .map((rd) => safeParse(rd))
      .filter((r): r is Reference => r !== undefined && r.domain === ref.domain && r.path !== ref.path)
      .map((r) => r.path);
    if (repos.length === 0) continue;
    for (const digest of [image.id, ...image.layers.map((l) => l.blobDigest)]) {
      sources.set(digest, [...new Set([...(sources.get(digest) ?? []), ...repos])]);
    }
  }
  return sources;
}

function safeParse(text: string): Reference | undefined {
  try {
    return parseReference(text);
  } catch {
    return undefined;
  }
}

async function recordRepoDigest(metadata: MetadataStore, id: string, repoDigest: string): Promise<void> {
  const current = metadata.image(id);
  if (!current) return;
  const repoDigests = [...new Set([...(current.repoDigests ?? []), repoDigest])].sort();
  const updated: ImageRecord = { ...current, repoDigests };
  await metadata.putImage(updated);
}

async function readSmall(content: ContentStore, digest: string): Promise<Buffer> {
  if (!(await content.info(digest))) throw notFound(`the manifest ${digest} of the image is missing from the store`);
  const chunks: Buffer[] = [];
  for await (const chunk of await content.reader(digest)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Listeners are the caller's code: one that throws must not break the push.
function safeListener(listener: PushListener | undefined): PushListener {
  return (event) => {
    try {
      listener?.(event);
    } catch {
      // Ignored on purpose: progress is advisory.
    }
  };
}
