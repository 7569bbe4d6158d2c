import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument, isBerthError, ErrorCode, notFound } from '@berth/errors';
import { FileContentStore, writeBlob, type IngestWriter } from '@berth/content-store';
import type { imagestore, types } from '@berth/proto';
import { familiarString, isImageIdPrefix, normalizeReference, parseReference } from '@berth/reference';
import { applyChanges } from './changes';
import { imageView } from './image-view';
import { LayerStore } from './layer-store';
import { MetadataStore, type ImageRecord } from './metadata-store';
import { chainIds, goArch, MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_MANIFEST, type OciImageConfig, type OciManifest } from './oci';
import { Snapshotter, type SnapshotInfo } from './snapshotter';
import { RegistryClient } from '@berth/registry-client';
import { pullImage, type PullOptions } from './pull';
import { pushImage, type PushOptions, type PushResult } from './push';
import { saveArchive, selectImages } from './save';
import { loadArchive, type LoadedImage } from './load';
import { purgeLoadSpools } from './load-spool';
import { exportLayers, snapshotLayerDirs } from './export';
import { LIST_FILTERS, parseFilterArgs } from './filters';
import { filterImages } from './image-listing';
import { pruneCandidates } from './prune';
import { spaceUsage } from './space-usage';
import { planRemoval } from './remove-plan';

export interface ImportRequest {
  reference: string;
  message: string;
  changes: string[];
  architecture?: string;
  os?: string;
}

export interface ImageStoreOptions {
  // Refuse layers that unpack to more than this many bytes.
  maxLayerSize?: number;
  // How pulls reach registries (credentials, mirrors, insecure hosts, timeouts).
  registry?: RegistryClient;
}

const DEFAULT_MAX_LAYER_SIZE = 64 * 1024 ** 3;

/*
 * The image store under one directory:
 *   DIR/blobs, DIR/ingest   the content store
 *   DIR/layers              unpacked layers by ChainID
 *   DIR/metadata            image records and tags
 *   DIR/snapshots           containers' writable layers
 * Operations that change state run one at a time.
 */
export class ImageStore {
  readonly content: FileContentStore;
  private readonly layers: LayerStore;
  private readonly metadata: MetadataStore;
  private readonly snapshots: Snapshotter;
  private queue: Promise<unknown> = Promise.resolve();
  private registry: RegistryClient | undefined;
  // Where `load` spools archives while it checks them.
  private readonly spoolDir: string;

  constructor(
    dir: string,
    private readonly options: ImageStoreOptions = {},
  ) {
    this.content = new FileContentStore(dir);
    this.layers = new LayerStore(join(dir, 'layers'));
    this.metadata = new MetadataStore(join(dir, 'metadata'));
    this.snapshots = new Snapshotter(join(dir, 'snapshots'));
    this.spoolDir = join(dir, 'load');
  }

  async open(): Promise<void> {
    await this.metadata.load();
    await this.content.purgeIngest();
    await this.layers.purgeTemp();
    await purgeLoadSpools(this.spoolDir);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async import(request: ImportRequest, data: Readable): Promise<types.Image> {
    // Validate everything that can be validated before reading a byte.
    const tag = request.reference ? normalizeReference(request.reference) : undefined;
    const configSection = applyChanges(request.changes);
    return this.exclusive(async () => {
      const writer: IngestWriter = await this.content.writer();
      let unpacked: Awaited<ReturnType<LayerStore['unpack']>> | undefined;
      try {
        unpacked = await this.layers.unpack(data, {
          maxSize: this.options.maxLayerSize ?? DEFAULT_MAX_LAYER_SIZE,
          onChunk: (chunk) => writer.write(chunk),
        });
      } catch (err) {
        await writer.abort();
        throw err;
      }
      const { result } = unpacked;
      const created = new Date().toISOString();
      try {
        const layerBlob = await writer.commit(result.diffId, result.size);
        const config: OciImageConfig = {
          created,
          architecture: request.architecture || goArch(),
          os: request.os || 'linux',
          config: configSection,
          rootfs: { type: 'layers', diff_ids: [result.diffId] },
          history: [{ created, created_by: 'berth import', ...(request.message ? { comment: request.message } : {}) }],
        };
        const configBytes = Buffer.from(JSON.stringify(config));
        const configBlob = await writeBlob(this.content, configBytes);
        const manifest: OciManifest = {
          schemaVersion: 2,
          mediaType: MEDIA_TYPE_MANIFEST,
          config: { mediaType: MEDIA_TYPE_CONFIG, digest: configBlob.digest, size: configBlob.size },
          layers: [{ mediaType: MEDIA_TYPE_LAYER_TAR, digest: layerBlob.digest, size: layerBlob.size }],
        };
        const manifestBlob = await writeBlob(this.content, Buffer.from(JSON.stringify(manifest)));
        const [chainId] = chainIds([result.diffId]) as [string];
        await unpacked.commit(chainId);
        const record: ImageRecord = {
          id: configBlob.digest,
          manifestDigest: manifestBlob.digest,
          config,
          layers: [{ diffId: result.diffId, chainId, blobDigest: layerBlob.digest, size: result.size }],
        };
        await this.metadata.putImage(record, tag);
        return imageView(record, this.metadata.tagsOf(record.id));
      } catch (err) {
        await unpacked.discard();
        throw err;
      }
    });
  }

  // Pulls an image from its registry (see pull.ts); state changes take the store's lock only
  // for their short commits, so pulls run beside each other and beside other operations.
  async pull(reference: string, options: PullOptions = {}): Promise<types.Image & { pulledDigest: string; upToDate: boolean }> {
    this.registry ??= this.options.registry ?? new RegistryClient();
    const result = await pullImage(
      {
        content: this.content,
        layers: this.layers,
        metadata: this.metadata,
        registry: this.registry,
        maxLayerSize: this.options.maxLayerSize ?? DEFAULT_MAX_LAYER_SIZE,
        exclusive: (fn) => this.exclusive(fn),
      },
      reference,
      options,
    );
    return { ...imageView(result.record, this.metadata.tagsOf(result.record.id)), pulledDigest: result.digest, upToDate: result.upToDate };
  }

  // Pushes a tagged image to its registry (see push.ts).
  async push(reference: string, options: PushOptions = {}): Promise<PushResult> {
    this.registry ??= this.options.registry ?? new RegistryClient();
    return pushImage({ content: this.content, metadata: this.metadata, registry: this.registry, exclusive: (fn) => this.exclusive(fn) }, reference, options);
  }

  // docker images, newest first, with its filters (see image-listing.ts).
  async list(filters: readonly string[] = []): Promise<types.Image[]> {
    const args = parseFilterArgs(filters, LIST_FILTERS);
    const source = { images: () => this.metadata.images(), tagsOf: (id: string) => this.metadata.tagsOf(id), resolve: (ref: string) => this.resolve(ref) };
    return Promise.all(filterImages(source, args).map(async ({ record, tags }) => imageView(await this.withContentSizes(record), tags)));
  }

  // The record with each layer sized as docker sizes it (see LayerStore.contentSize); a layer
  // not unpacked keeps the size the record has.
  private async withContentSizes(record: ImageRecord): Promise<ImageRecord> {
    const layers = await Promise.all(record.layers.map(async (layer) => ({ ...layer, size: (await this.layers.contentSize(layer.chainId)) ?? layer.size })));
    return { ...record, layers };
  }

  // docker image prune: each unused image goes with its tags, then every layer and blob no
  // other image holds.
  prune(request: imagestore.PruneRequest): Promise<imagestore.PruneResponse> {
    return this.exclusive(async () => {
      const candidates = pruneCandidates(this.metadata.images(), (id) => this.metadata.tagsOf(id), { ...request, now: Date.now() });
      const images: imagestore.RemoveImageResponse[] = [];
      let spaceReclaimed = 0;
      for (const candidate of candidates) {
        const record = await this.withContentSizes(candidate);
        const untagged = this.metadata.tagsOf(record.id).map((tag) => familiarString(parseReference(tag)));
        const deleted = await this.deleteImage(record);
        spaceReclaimed += record.layers.filter((layer) => deleted.includes(layer.chainId)).reduce((sum, layer) => sum + layer.size, 0);
        images.push({ untagged, deleted });
      }
      return { images, spaceReclaimed };
    });
  }

  // docker system df's image figures (see space-usage.ts).
  async diskUsage(): Promise<imagestore.DiskUsageResponse> {
    const usage = spaceUsage(await Promise.all(this.metadata.images().map((record) => this.withContentSizes(record))));
    return {
      layersSize: usage.layersSize,
      images: usage.images.map(({ record, sharedSize }) => ({ image: imageView(record, this.metadata.tagsOf(record.id)), sharedSize })),
    };
  }

  // A full ID, a reference, or a unique ID prefix, in that order (as docker resolves them).
  private resolve(ref: string): ImageRecord {
    if (ref === '') throw invalidArgument('image reference must not be empty');
    const fullId = /^[a-f0-9]{64}$/.test(ref) ? `sha256:${ref}` : ref;
    const byId = this.metadata.image(fullId);
    if (byId) return byId;
    let familiar = ref;
    try {
      const normalized = normalizeReference(ref);
      familiar = familiarString(parseReference(normalized));
      const target = this.metadata.tagTarget(normalized);
      // name@sha256:... names the image pulled by that digest.
      const tagged = target ? this.metadata.image(target) : this.metadata.images().find((image) => image.repoDigests?.includes(normalized));
      if (tagged) return tagged;
    } catch (err) {
      if (!isImageIdPrefix(ref)) throw err;
    }
    if (isImageIdPrefix(ref)) {
      const prefix = ref.startsWith('sha256:') ? ref : `sha256:${ref}`;
      const matches = this.metadata.images().filter((image) => image.id.startsWith(prefix));
      if (matches.length === 1) return matches[0] as ImageRecord;
      if (matches.length > 1) throw invalidArgument(`ambiguous image ID prefix ${ref}: it matches ${matches.length} images`);
    }
    throw notFound(`No such image: ${familiar}`);
  }

  async get(ref: string): Promise<types.Image> {
    const record = this.resolve(ref);
    return imageView(await this.withContentSizes(record), this.metadata.tagsOf(record.id));
  }

  tag(source: string, target: string): Promise<void> {
    return this.exclusive(async () => {
      const record = this.resolve(source);
      if (parseReference(target).digest !== undefined) throw invalidArgument('refusing to create a tag with a digest reference');
      await this.metadata.setTag(normalizeReference(target), record.id);
    });
  }

  // docker rmi (see remove-plan.ts for its rules).
  remove(request: Omit<imagestore.RemoveImageRequest, 'running'> & { running?: string[] }): Promise<imagestore.RemoveImageResponse> {
    return this.exclusive(async () => {
      const record = this.resolve(request.reference);
      const byName = !isImageIdPrefix(request.reference) || this.metadata.tagTarget(safeNormalize(request.reference)) === record.id;
      const snapshotUsers = (await this.snapshots.list()).filter((s) => s.imageId === record.id).map((s) => s.key);
      const knownUsers = request.inUse.includes(record.id) && snapshotUsers.length === 0 ? ['a container'] : [];
      const running = new Set(request.running ?? []);
      const plan = planRemoval({
        id: record.id,
        tags: this.metadata.tagsOf(record.id),
        digests: record.repoDigests ?? [],
        ...(byName ? { byName: safeNormalize(request.reference) } : {}),
        typed: request.reference,
        force: request.force,
        containers: [...snapshotUsers, ...knownUsers].map((id) => ({ id, running: running.has(id) })),
      });
      const untagged = plan.untag.map((ref) => familiarString(parseReference(ref)));
      // A container the daemon knows of but whose snapshot is not here cannot keep the layers
      // it needs, so its image stays.
      if (plan.deleteImage && knownUsers.length === 0) return { untagged, deleted: await this.deleteImage(record) };
      const untag = new Set(plan.untag);
      for (const ref of plan.untag) if (this.metadata.tagTarget(ref) === record.id) await this.metadata.removeTag(ref);
      if ((record.repoDigests ?? []).some((d) => untag.has(d))) {
        await this.metadata.putImage({ ...record, repoDigests: (record.repoDigests ?? []).filter((d) => !untag.has(d)) });
      }
      return { untagged, deleted: [] };
    });
  }

  // The image's record and every blob and layer nothing else uses; a layer a container stands on
  // stays until that container's snapshot goes (as docker keeps it under the container).
  private async deleteImage(record: ImageRecord): Promise<string[]> {
    const held = new Set([...(await this.snapshots.lowerDirsByKey()).values()].flat());
    await this.metadata.removeImage(record.id);
    const others = this.metadata.images();
    const stillUsed = (pick: (r: ImageRecord) => string[], value: string): boolean => others.some((o) => pick(o).includes(value));
    const deleted = [record.id];
    for (const digest of [record.id, record.manifestDigest]) {
      if (!stillUsed((o) => [o.id, o.manifestDigest], digest)) await this.content.delete(digest);
    }
    for (const layer of record.layers) {
      if (!stillUsed((o) => o.layers.map((l) => l.blobDigest), layer.blobDigest)) await this.content.delete(layer.blobDigest);
      if (!stillUsed((o) => o.layers.map((l) => l.chainId), layer.chainId) && !held.has(this.layers.diffPath(layer.chainId))) {
        await this.layers.remove(layer.chainId);
        deleted.push(layer.chainId);
      }
    }
    return deleted;
  }

  prepareSnapshot(key: string, imageId: string): Promise<SnapshotInfo> {
    return this.exclusive(async () => {
      const record = this.resolve(imageId);
      const present = await Promise.all(record.layers.map((layer) => this.layers.has(layer.chainId)));
      const missing = record.layers.find((_, i) => !present[i]);
      if (missing) throw notFound(`layer ${missing.chainId} of image ${record.id} is missing`);
      const lowerDirs = record.layers.map((layer) => this.layers.diffPath(layer.chainId)).reverse();
      return this.snapshots.prepare(key, record.id, lowerDirs);
    });
  }

  getSnapshot(key: string): Promise<SnapshotInfo> {
    return this.snapshots.get(key);
  }

  removeSnapshot(key: string): Promise<void> {
    return this.exclusive(async () => {
      const lowerDirs = (await this.snapshots.lowerDirsByKey()).get(key) ?? [];
      await this.snapshots.remove(key);
      await this.dropOrphanLayers(lowerDirs);
    });
  }

  // Layers kept only for a container whose image was deleted go with its last snapshot.
  private async dropOrphanLayers(lowerDirs: string[]): Promise<void> {
    if (lowerDirs.length === 0) return;
    const held = new Set([...(await this.snapshots.lowerDirsByKey()).values()].flat());
    const used = new Set(this.metadata.images().flatMap((image) => image.layers.map((layer) => this.layers.diffPath(layer.chainId))));
    for (const dir of lowerDirs) {
      const chainId = `sha256:${basename(dirname(dir))}`;
      if (this.layers.diffPath(chainId) === dir && !held.has(dir) && !used.has(dir)) await this.layers.remove(chainId);
    }
  }

  listSnapshots(): Promise<SnapshotInfo[]> {
    return this.snapshots.list();
  }

  // docker save, load and export: see save.ts, load.ts and export.ts.
  save(references: string[]): Readable {
    return saveArchive(this.content, selectImages(references, (ref) => this.resolve(ref), this.metadata), this.metadata.images());
  }

  load(data: Readable): Promise<LoadedImage[]> {
    const deps = { content: this.content, layers: this.layers, metadata: this.metadata, spoolDir: this.spoolDir };
    return loadArchive({ ...deps, maxLayerSize: this.options.maxLayerSize ?? DEFAULT_MAX_LAYER_SIZE, exclusive: (fn) => this.exclusive(fn) }, data);
  }

  async exportSnapshot(key: string): Promise<Readable> {
    return exportLayers(snapshotLayerDirs((await this.snapshots.get(key)).mounts));
  }
}

function safeNormalize(ref: string): string {
  try {
    return normalizeReference(ref);
  } catch (err) {
    if (isBerthError(err, ErrorCode.InvalidArgument)) return ref;
    throw err;
  }
}
