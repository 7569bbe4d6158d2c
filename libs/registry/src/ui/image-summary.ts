import { type Registry, type StoredManifest } from '../registry';
import { parseDigest } from '../names';

// What the pages show of a manifest. Everything comes from stored, hence validated, manifests, but
// configs and annotations are the pusher's free text: typed loosely here, escaped when rendered.
export interface LayerInfo {
  digest: string;
  size: number;
  mediaType: string;
}

export interface HistoryEntry {
  created?: string;
  createdBy?: string;
  comment?: string;
  emptyLayer: boolean;
}

export interface ImageConfig {
  created?: string;
  platform?: string;
  history: HistoryEntry[];
  // The runtime part of the config (`config` in the OCI image config), as pushed.
  config?: unknown;
}

export interface ChildInfo {
  digest: string;
  platform: string;
  size: number;
}

export interface ManifestSummary {
  digest: string;
  mediaType: string;
  // Compressed size of the layers (Docker Hub's figure); for an index, the sum over its images.
  size: number;
  created?: string;
  platforms: string[];
  layers: LayerInfo[];
  children: ChildInfo[];
  image?: ImageConfig;
}

// Configs past this size are not read for display.
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

export function formatPlatform(p: unknown): string {
  if (!isObject(p)) return 'unknown';
  const parts = [str(p.os), str(p.architecture), str(p.variant)].filter((x): x is string => !!x);
  return parts.length > 0 ? parts.join('/') : 'unknown';
}

export async function summarize(registry: Registry, name: string, reference: string): Promise<ManifestSummary> {
  return summarizeStored(registry, name, await registry.getManifest(name, reference));
}

async function summarizeStored(registry: Registry, name: string, stored: StoredManifest): Promise<ManifestSummary> {
  const body = JSON.parse(stored.bytes.toString('utf8')) as unknown;
  const manifest = isObject(body) ? body : {};
  const base = { digest: stored.digest, mediaType: stored.mediaType, layers: [], children: [] };
  if (Array.isArray(manifest.manifests)) {
    const children: ChildInfo[] = [];
    let size = 0;
    let created: string | undefined;
    for (const child of list(manifest.manifests)) {
      const digest = str(child.digest) ?? '';
      const sub = await registry
        .getManifest(name, digest)
        .then((m) => summarizeStored(registry, name, m))
        .catch(() => undefined);
      const platform = isObject(child.platform) ? formatPlatform(child.platform) : (sub?.platforms[0] ?? 'unknown');
      children.push({ digest, platform, size: sub?.size ?? 0 });
      size += sub?.size ?? 0;
      if (sub?.created && (!created || sub.created > created)) created = sub.created;
    }
    return { ...base, size, created, children, platforms: children.map((c) => c.platform) };
  }
  const layers = list(manifest.layers).map((l) => ({ digest: str(l.digest) ?? '', size: num(l.size), mediaType: str(l.mediaType) ?? '' }));
  const image = isObject(manifest.config) ? await readConfig(registry, name, str(manifest.config.digest)) : undefined;
  return {
    ...base,
    layers,
    size: layers.reduce((sum, l) => sum + l.size, 0),
    created: image?.created,
    platforms: image?.platform ? [image.platform] : [],
    image,
  };
}

async function readConfig(registry: Registry, name: string, digest: string | undefined): Promise<ImageConfig | undefined> {
  if (!digest) return undefined;
  try {
    const parsed = parseDigest(digest);
    const size = await registry.blobs.stat(name, parsed);
    if (size === undefined || size > MAX_CONFIG_BYTES) return undefined;
    const raw = await registry.blobs.getSmall(parsed);
    const config = raw ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    if (!isObject(config)) return undefined;
    return {
      created: str(config.created),
      platform: str(config.os) || str(config.architecture) ? formatPlatform(config) : undefined,
      history: list(config.history).map((h) => ({ created: str(h.created), createdBy: str(h.created_by), comment: str(h.comment), emptyLayer: h.empty_layer === true })),
      config: config.config,
    };
  } catch {
    // Not JSON, or an artifact's config: nothing to show.
    return undefined;
  }
}
