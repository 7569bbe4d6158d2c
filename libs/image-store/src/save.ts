import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { ContentStore } from '@berth/content-store';
import { digestHex } from '@berth/content-store';
import { invalidArgument, notFound } from '@berth/errors';
import { familiarName, familiarString, normalizeReference, parseReference, repositoryName } from '@berth/reference';
import type { ImageRecord, MetadataStore } from './metadata-store';
import { MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_MANIFEST, type OciDescriptor, type OciManifest } from './oci';
import { addEntry, streamEntry } from './tar-entries';

export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

export interface SavedImage {
  record: ImageRecord;
  // Normalised references (docker.io/library/busybox:latest) the archive names the image by.
  tags: string[];
}

// What docker save's manifest.json holds for each image.
export interface ArchiveManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

// docker (since 25) writes every file with a zero time, so archives of the same images match.
const EPOCH = new Date(0);

export const blobPath = (digest: string): string => `blobs/sha256/${digestHex(digest)}`;

/*
 * Writes images as docker save does: an OCI image layout (oci-layout, index.json, blobs) that
 * also carries docker's manifest.json and repositories, so both docker's OCI loader and its
 * legacy one (docker before 25) read it. Blobs are streamed from the content store, each once.
 */
export function saveArchive(content: ContentStore, images: readonly SavedImage[], known: readonly ImageRecord[]): Readable {
  const pack = tarPack();
  const out = new PassThrough();
  pipeline(pack, out).catch((err: unknown) => out.destroy(err as Error));
  writeArchive(pack, content, images, known).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  );
  return out;
}

async function writeArchive(pack: Pack, content: ContentStore, images: readonly SavedImage[], known: readonly ImageRecord[]): Promise<void> {
  const written = new Set<string>();
  await addEntry(pack, { name: 'blobs/', type: 'directory', mode: 0o755, mtime: EPOCH });
  await addEntry(pack, { name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime: EPOCH });
  const writeBlob = async (digest: string, bytes?: Buffer): Promise<void> => {
    if (written.has(digest)) return;
    written.add(digest);
    if (bytes !== undefined) return addEntry(pack, { name: blobPath(digest), size: bytes.length, mode: 0o644, mtime: EPOCH }, bytes);
    const info = await content.info(digest);
    if (!info) throw notFound(`blob ${digest} is missing from the content store`);
    await streamEntry(pack, { name: blobPath(digest), size: info.size, mode: 0o644, mtime: EPOCH }, await content.reader(digest));
  };
  const index: object[] = [];
  const manifest: ArchiveManifestEntry[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { record, tags } of images) {
    const blobs = await imageBlobs(content, record, known);
    for (const layer of blobs.layers) await writeBlob(layer.digest);
    await writeBlob(record.id);
    await writeBlob(blobs.manifest.digest, blobs.manifest.bytes);
    const descriptor = { mediaType: blobs.manifest.mediaType, digest: blobs.manifest.digest, size: blobs.manifest.bytes.length };
    if (tags.length === 0) index.push(descriptor);
    const familiar: string[] = [];
    for (const tag of tags) {
      const ref = parseReference(tag);
      familiar.push(familiarString(ref));
      index.push({ ...descriptor, annotations: { [ANNOTATION_IMAGE_NAME]: tag, [ANNOTATION_REF_NAME]: ref.tag ?? 'latest' } });
      const top = record.layers[record.layers.length - 1];
      if (top && ref.tag) (repositories[familiarName(ref)] ??= {})[ref.tag] = digestHex(top.diffId);
    }
    manifest.push({ Config: blobPath(record.id), RepoTags: familiar.length > 0 ? familiar : null, Layers: blobs.layers.map((l) => blobPath(l.digest)) });
  }
  await addFile(pack, 'index.json', { schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: index });
  await addFile(pack, 'manifest.json', manifest);
  await addFile(pack, 'oci-layout', { imageLayoutVersion: '1.0.0' });
  if (Object.keys(repositories).length > 0) await addFile(pack, 'repositories', repositories);
}

interface ImageBlobs {
  layers: OciDescriptor[];
  manifest: { digest: string; mediaType: string; bytes: Buffer };
}

/*
 * The blobs an image is saved with. A pull skips layers the store has unpacked already, so an
 * image's own copy of a layer may be missing: any stored copy of the same diff ID serves (another
 * image's, or the uncompressed one import and load keep), and then the image gets a manifest
 * that names the copies written.
 */
async function imageBlobs(content: ContentStore, record: ImageRecord, known: readonly ImageRecord[]): Promise<ImageBlobs> {
  const layers: OciDescriptor[] = [];
  for (const layer of record.layers) {
    const candidates = [layer.blobDigest, ...known.flatMap((image) => image.layers.filter((l) => l.diffId === layer.diffId).map((l) => l.blobDigest)), layer.diffId];
    let found: OciDescriptor | undefined;
    for (const digest of new Set(candidates)) {
      const info = await content.info(digest);
      if (info) {
        found = { mediaType: digest === layer.blobDigest ? '' : await layerMediaType(content, digest), digest, size: info.size };
        break;
      }
    }
    if (!found) throw notFound(`layer ${layer.diffId} of image ${record.id} has no stored blob to save: pull or load the image again`);
    layers.push(found);
  }
  const stored = await content.info(record.manifestDigest);
  if (stored && layers.every((l, i) => l.digest === record.layers[i]?.blobDigest)) {
    const bytes = await readAll(await content.reader(record.manifestDigest));
    const mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? MEDIA_TYPE_MANIFEST;
    return { layers, manifest: { digest: record.manifestDigest, mediaType, bytes } };
  }
  const config = await content.info(record.id);
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: { mediaType: MEDIA_TYPE_CONFIG, digest: record.id, size: config?.size ?? 0 },
    layers: await Promise.all(layers.map(async (l) => ({ ...l, mediaType: l.mediaType || (await layerMediaType(content, l.digest)) }))),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { layers, manifest: { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType: MEDIA_TYPE_MANIFEST, bytes } };
}

// A layer blob's media type, from its first bytes.
async function layerMediaType(content: ContentStore, digest: string): Promise<string> {
  const stream = await content.reader(digest);
  let head: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    head = chunk as Buffer;
    break;
  }
  stream.destroy();
  if (head[0] === 0x1f && head[1] === 0x8b) return `${MEDIA_TYPE_LAYER_TAR}+gzip`;
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return `${MEDIA_TYPE_LAYER_TAR}+zstd`;
  return MEDIA_TYPE_LAYER_TAR;
}

function addFile(pack: Pack, name: string, value: unknown): Promise<void> {
  const body = Buffer.from(`${JSON.stringify(value)}\n`);
  return addEntry(pack, { name, size: body.length, mode: 0o644, mtime: EPOCH }, body);
}

export async function readAll(stream: Readable, limit = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new Error(`more than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/*
 * What docker save names each image by: an image given by name carries that name (busybox:1),
 * a bare repository name brings every tag of that repository, as docker does, and an image given
 * by ID carries none. An image named twice is written once.
 */
export function selectImages(references: readonly string[], resolve: (ref: string) => ImageRecord, metadata: Pick<MetadataStore, 'tagTarget' | 'tagsOf' | 'images'>): SavedImage[] {
  if (references.length === 0) throw invalidArgument('"save" requires at least 1 argument');
  const selected = new Map<string, SavedImage>();
  const add = (record: ImageRecord, tag: string | undefined): void => {
    const image = selected.get(record.id) ?? { record, tags: [] };
    selected.set(record.id, image);
    if (tag !== undefined && metadata.tagTarget(tag) === record.id && !image.tags.includes(tag)) image.tags.push(tag);
  };
  for (const ref of references) {
    const repository = repositoryOnly(ref);
    const tagged = repository === undefined ? [] : metadata.images().flatMap((record) => metadata.tagsOf(record.id).filter((t) => repositoryName(parseReference(t)) === repository).map((tag) => ({ record, tag })));
    if (tagged.length > 0) {
      for (const { record, tag } of tagged) add(record, tag);
      continue;
    }
    add(resolve(ref), tagOf(ref));
  }
  return [...selected.values()];
}

// docker.io/library/busybox for `busybox`; undefined when the reference has a tag or digest.
function repositoryOnly(ref: string): string | undefined {
  try {
    const parsed = parseReference(ref);
    return parsed.tag === undefined && parsed.digest === undefined ? repositoryName(parsed) : undefined;
  } catch {
    return undefined;
  }
}

function tagOf(ref: string): string | undefined {
  try {
    const parsed = parseReference(ref);
    return parsed.digest === undefined ? normalizeReference(ref) : undefined;
  } catch {
    return undefined;
  }
}
