import { readFile } from 'node:fs/promises';
import { digestMismatch, invalidArgument } from '@berth/errors';
import { normalizeReference } from '@berth/reference';
import type { LoadSpool, SpooledFile } from './load-spool';
import type { OciImageConfig } from './oci';
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME } from './save';

// JSON documents larger than this are not manifests or configs (registries use the same cap).
export const MAX_JSON_SIZE = 4 * 1024 * 1024;

export interface PlannedLayer {
  file: SpooledFile;
  diffId: string;
}

export interface PlannedImage {
  id: string;
  configBytes: Buffer;
  config: OciImageConfig;
  layers: PlannedLayer[];
  // Normalised references (docker.io/library/busybox:latest).
  tags: string[];
}

interface ManifestEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

interface IndexDescriptor {
  mediaType?: unknown;
  digest?: unknown;
  annotations?: Record<string, unknown>;
}

const SHA256 = /^sha256:[a-f0-9]{64}$/;
const HEX_IN_NAME = /(?:^|\/)(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.json)?$/;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

async function readJson<T>(spool: LoadSpool, name: string, what: string): Promise<{ value: T; bytes: Buffer; file: SpooledFile }> {
  const file = spool.require(name, what);
  if (file.size > MAX_JSON_SIZE) throw invalidArgument(`invalid archive: ${what} ${JSON.stringify(name)} is over ${MAX_JSON_SIZE} bytes`);
  const bytes = await readFile(file.path);
  try {
    return { value: JSON.parse(bytes.toString('utf8')) as T, bytes, file };
  } catch {
    throw invalidArgument(`invalid archive: ${what} ${JSON.stringify(name)} is not valid JSON`);
  }
}

// A member named after a digest (blobs/sha256/<hex>, <hex>.json) must hash to it.
function checkNamedDigest(name: string, file: SpooledFile): void {
  const match = HEX_IN_NAME.exec(name);
  if (match && `sha256:${match[1] as string}` !== file.digest) {
    throw digestMismatch(`digest mismatch: ${name} has digest ${file.digest}`);
  }
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/*
 * Reads what an archive says it holds: docker's manifest.json when present (every docker save
 * writes one), else the OCI layout's index.json (podman, skopeo, buildx). Checks every config
 * and named blob against its digest; layers are checked against the config's diff_ids as they
 * are unpacked.
 */
export async function planLoad(spool: LoadSpool): Promise<PlannedImage[]> {
  const entries = spool.file('manifest.json') ? await manifestEntries(spool) : await indexEntries(spool);
  if (entries.length === 0) throw invalidArgument('invalid archive: it names no images');
  const images: PlannedImage[] = [];
  for (const entry of entries) images.push(await planImage(spool, entry));
  return images;
}

interface Entry {
  config: string;
  layers: string[];
  tags: string[];
}

async function manifestEntries(spool: LoadSpool): Promise<Entry[]> {
  const { value } = await readJson<unknown>(spool, 'manifest.json', 'manifest');
  if (!Array.isArray(value)) throw invalidArgument('invalid archive: manifest.json is not a list of images');
  return (value as ManifestEntry[]).map((item) => {
    if (typeof item?.Config !== 'string' || !isStringArray(item.Layers)) {
      throw invalidArgument('invalid archive: a manifest.json entry lacks Config or Layers');
    }
    if (item.RepoTags !== undefined && item.RepoTags !== null && !isStringArray(item.RepoTags)) {
      throw invalidArgument('invalid archive: a manifest.json entry has bad RepoTags');
    }
    return { config: item.Config, layers: item.Layers, tags: (item.RepoTags ?? []).map((t) => normalizeReference(t)) };
  });
}

async function indexEntries(spool: LoadSpool): Promise<Entry[]> {
  if (!spool.file('index.json')) throw invalidArgument('invalid archive: it has neither manifest.json nor index.json (not a docker save archive)');
  const { value } = await readJson<{ manifests?: unknown }>(spool, 'index.json', 'index');
  if (!Array.isArray(value.manifests)) throw invalidArgument('invalid archive: index.json has no manifests');
  const entries: Entry[] = [];
  for (const descriptor of value.manifests as IndexDescriptor[]) {
    if (typeof descriptor.digest !== 'string' || !SHA256.test(descriptor.digest)) throw invalidArgument('invalid archive: index.json has a bad digest');
    if (typeof descriptor.mediaType === 'string' && INDEX_TYPES.has(descriptor.mediaType)) {
      throw invalidArgument('invalid archive: multi-platform image indexes are not supported by load');
    }
    const name = `blobs/sha256/${descriptor.digest.slice(7)}`;
    const { value: manifest, file } = await readJson<{ config?: { digest?: unknown }; layers?: Array<{ digest?: unknown }> }>(spool, name, 'manifest');
    checkNamedDigest(name, file);
    const configDigest = manifest.config?.digest;
    const layerDigests = (manifest.layers ?? []).map((l) => l.digest);
    if (typeof configDigest !== 'string' || !SHA256.test(configDigest) || !layerDigests.every((d): d is string => typeof d === 'string' && SHA256.test(d))) {
      throw invalidArgument(`invalid archive: manifest ${descriptor.digest} is not an image manifest`);
    }
    const imageName = descriptor.annotations?.[ANNOTATION_IMAGE_NAME] ?? descriptor.annotations?.[ANNOTATION_REF_NAME];
    const tags = typeof imageName === 'string' && /[/:]/.test(imageName) ? [normalizeReference(imageName)] : [];
    const existing = entries.find((e) => e.config === `blobs/sha256/${configDigest.slice(7)}`);
    if (existing) existing.tags.push(...tags.filter((t) => !existing.tags.includes(t)));
    else entries.push({ config: `blobs/sha256/${configDigest.slice(7)}`, layers: layerDigests.map((d) => `blobs/sha256/${d.slice(7)}`), tags });
  }
  return entries;
}

async function planImage(spool: LoadSpool, entry: Entry): Promise<PlannedImage> {
  const { value: config, bytes, file } = await readJson<OciImageConfig>(spool, entry.config, 'image config');
  checkNamedDigest(entry.config, file);
  const diffIds = config?.rootfs?.diff_ids;
  if (!isStringArray(diffIds) || !diffIds.every((d) => SHA256.test(d))) throw invalidArgument(`invalid archive: image config ${entry.config} has no valid rootfs.diff_ids`);
  if (typeof config.os !== 'string' || typeof config.architecture !== 'string') throw invalidArgument(`invalid archive: image config ${entry.config} lacks os or architecture`);
  if (diffIds.length !== entry.layers.length) {
    throw invalidArgument(`invalid archive: image config ${entry.config} lists ${diffIds.length} layers, the manifest ${entry.layers.length}`);
  }
  const layers = entry.layers.map((name, i) => {
    const layerFile = spool.require(name, 'layer');
    checkNamedDigest(name, layerFile);
    return { file: layerFile, diffId: diffIds[i] as string };
  });
  return { id: file.digest, configBytes: bytes, config, layers, tags: [...new Set(entry.tags)] };
}
