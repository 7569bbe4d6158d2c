import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { conflict, digestMismatch } from '@berth/errors';
import { decompressed } from '@berth/archive';
import { writeBlob, type FileContentStore, type IngestWriter } from '@berth/content-store';
import { familiarString, parseReference } from '@berth/reference';
import type { LayerStore } from './layer-store';
import { LoadSpool, type SpooledFile } from './load-spool';
import { planLoad, type PlannedImage } from './load-plan';
import type { ImageRecord, LayerRecord, MetadataStore } from './metadata-store';
import { chainIds, MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_MANIFEST, type OciManifest } from './oci';

export interface LoadDeps {
  content: FileContentStore;
  layers: LayerStore;
  metadata: MetadataStore;
  // Where the archive is spooled while it is checked (under the store's root).
  spoolDir: string;
  maxLayerSize: number;
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export interface LoadedImage {
  id: string;
  // Familiar names (busybox:latest).
  repoTags: string[];
  // Tags this load took from other images: familiar name → the other image's ID.
  replaced: Record<string, string>;
}

const MAX_MEMBERS = 100_000;

// A layer checked and ready to become visible: its blob written, its files unpacked (each only
// where the store lacks it).
interface PendingLayer {
  chainId: string;
  writer?: IngestWriter;
  commitUnpack?: (chainId: string) => Promise<void>;
  discardUnpack?: () => Promise<void>;
}

/*
 * docker load: reads the archive once into a spool, checks what it names (load-plan.ts), then
 * unpacks and verifies every layer against its diff_id into private temporary places. Only when
 * every image is whole does anything become visible, under the store's lock; any failure removes
 * everything this load wrote, spool included.
 */
export async function loadArchive(deps: LoadDeps, input: Readable): Promise<LoadedImage[]> {
  const spool = await LoadSpool.create(deps.spoolDir);
  const pending = new Map<string, PendingLayer>();
  try {
    await spool.fill(input, { maxMemberSize: deps.maxLayerSize, maxMembers: MAX_MEMBERS });
    const images = await planLoad(spool);
    for (const image of images) {
      const chains = chainIds(image.config.rootfs.diff_ids);
      for (const [i, layer] of image.layers.entries()) {
        const chainId = chains[i] as string;
        if (!pending.has(chainId)) pending.set(chainId, await prepareLayer(deps, spool, layer.file, layer.diffId, chainId));
      }
    }
    return await deps.exclusive(() => commitImages(deps, images, pending));
  } catch (err) {
    for (const layer of pending.values()) await discardLayer(layer);
    throw err;
  } finally {
    await spool.remove();
  }
}

async function prepareLayer(deps: LoadDeps, spool: LoadSpool, file: SpooledFile, diffId: string, chainId: string): Promise<PendingLayer> {
  const pending: PendingLayer = { chainId };
  try {
    if (!(await deps.content.info(diffId))) pending.writer = await deps.content.writer();
    const writer = pending.writer;
    if (!(await deps.layers.has(chainId))) {
      const unpacked = await deps.layers.unpack(spool.open(file), {
        maxSize: deps.maxLayerSize,
        ...(writer ? { onChunk: (chunk: Buffer) => writer.write(chunk) } : {}),
      });
      pending.commitUnpack = unpacked.commit;
      pending.discardUnpack = unpacked.discard;
      checkDiffId(unpacked.result.diffId, diffId);
    } else if (writer || file.digest !== diffId) {
      // The files are there already; the data is still checked (and stored when its blob is not).
      checkDiffId(await uncompressedDigest(spool.open(file), writer), diffId);
    }
    return pending;
  } catch (err) {
    await discardLayer(pending);
    throw err;
  }
}

async function discardLayer(layer: PendingLayer): Promise<void> {
  await layer.writer?.abort();
  await layer.discardUnpack?.();
}

function checkDiffId(actual: string, expected: string): void {
  if (actual !== expected) throw digestMismatch(`layer digest mismatch: the image config says ${expected}, the layer is ${actual}`);
}

async function uncompressedDigest(input: Readable, writer: IngestWriter | undefined): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await decompressed(input)) {
    hash.update(chunk as Buffer);
    await writer?.write(chunk as Buffer);
  }
  return `sha256:${hash.digest('hex')}`;
}

async function commitImages(deps: LoadDeps, images: PlannedImage[], pending: Map<string, PendingLayer>): Promise<LoadedImage[]> {
  // Layers found unpacked before the lock was taken may have gone since (an rmi beside the load).
  for (const layer of pending.values()) {
    if (layer.commitUnpack === undefined && !(await deps.layers.has(layer.chainId))) {
      throw conflict(`layer ${layer.chainId} was removed while the archive was loading: load it again`);
    }
  }
  for (const layer of pending.values()) {
    const writer = layer.writer;
    layer.writer = undefined;
    await writer?.commit();
    const commit = layer.commitUnpack;
    layer.commitUnpack = undefined;
    layer.discardUnpack = undefined;
    await commit?.(layer.chainId);
  }
  const loaded: LoadedImage[] = [];
  for (const image of images) {
    const existing = deps.metadata.image(image.id);
    const record = existing ?? (await storeImage(deps, image));
    const replaced: Record<string, string> = {};
    for (const tag of image.tags) {
      const previous = deps.metadata.tagTarget(tag);
      if (previous !== undefined && previous !== record.id) replaced[familiarString(parseReference(tag))] = previous;
      await deps.metadata.setTag(tag, record.id);
    }
    loaded.push({ id: record.id, repoTags: image.tags.map((t) => familiarString(parseReference(t))), replaced });
  }
  return loaded;
}

async function storeImage(deps: LoadDeps, image: PlannedImage): Promise<ImageRecord> {
  const chains = chainIds(image.config.rootfs.diff_ids);
  const layers: LayerRecord[] = [];
  for (const [i, layer] of image.layers.entries()) {
    const info = await deps.content.info(layer.diffId);
    layers.push({ diffId: layer.diffId, chainId: chains[i] as string, blobDigest: layer.diffId, size: info?.size ?? 0 });
  }
  const configBlob = await writeBlob(deps.content, image.configBytes, image.id);
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: { mediaType: MEDIA_TYPE_CONFIG, digest: configBlob.digest, size: configBlob.size },
    layers: layers.map((l) => ({ mediaType: MEDIA_TYPE_LAYER_TAR, digest: l.blobDigest, size: l.size })),
  };
  const manifestBlob = await writeBlob(deps.content, Buffer.from(JSON.stringify(manifest)));
  const record: ImageRecord = { id: image.id, manifestDigest: manifestBlob.digest, config: image.config, layers };
  await deps.metadata.putImage(record);
  return record;
}
