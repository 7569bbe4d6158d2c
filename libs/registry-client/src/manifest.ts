import { BerthError, ErrorCode } from '@berth/errors';
import { MediaType, manifestKind, type ManifestKind } from './media-types';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  urls?: string[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

export type ParsedManifest = { kind: 'manifest'; mediaType: string; manifest: ImageManifest } | { kind: 'index'; mediaType: string; index: ImageIndex };

const DIGEST = /^sha256:[a-f0-9]{64}$/;
// Types a registry sends when it does not know better; the body's own mediaType decides then.
const GENERIC_TYPES = new Set(['', 'application/json', 'text/plain', 'application/octet-stream']);

function invalid(message: string): BerthError {
  return new BerthError(ErrorCode.ManifestInvalid, message);
}

function checkDescriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (!d || typeof d !== 'object') throw invalid(`${where}: not a descriptor`);
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${where}: no mediaType`);
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest)) throw invalid(`${where}: unsupported digest ${JSON.stringify(d.digest)} (want sha256)`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${where}: invalid size ${JSON.stringify(d.size)}`);
  return d as Descriptor;
}

/*
 * Decides what a manifest is from the Content-Type the registry sent and the body's own fields,
 * and refuses any disagreement (containerd's "ambiguous" check): a body that claims to be both
 * an index and a manifest, or whose mediaType contradicts the header, could be read two ways,
 * and the digest the user pinned must mean one image only.
 */
export function parseManifest(bytes: Buffer, contentType: string | null): ParsedManifest {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    body = parsed as Record<string, unknown>;
  } catch (err) {
    throw invalid(`manifest is not valid JSON: ${(err as Error).message}`);
  }
  const header = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  if (header === MediaType.DockerSchema1 || header === MediaType.DockerSchema1Signed || body.schemaVersion === 1) {
    throw new BerthError(ErrorCode.Unimplemented, 'Docker schema 1 manifests are not supported: push the image again with a current client');
  }
  if (body.schemaVersion !== 2) throw invalid(`unsupported manifest schemaVersion ${JSON.stringify(body.schemaVersion)}`);
  let mediaType: string;
  if (!GENERIC_TYPES.has(header)) {
    if (declared !== undefined && declared !== header) throw invalid(`ambiguous manifest: Content-Type ${header} but mediaType ${declared}`);
    mediaType = header;
  } else if (declared !== undefined) {
    mediaType = declared;
  } else {
    mediaType = 'manifests' in body ? MediaType.OciIndex : MediaType.OciManifest;
  }
  const kind: ManifestKind | undefined = manifestKind(mediaType);
  if (kind === undefined) throw invalid(`unsupported manifest media type ${JSON.stringify(mediaType)}`);
  const hasIndexFields = 'manifests' in body;
  const hasManifestFields = 'config' in body || 'layers' in body;
  if (hasIndexFields && hasManifestFields) throw invalid('ambiguous manifest: it has both "manifests" and "config"/"layers"');
  if (kind === 'index') {
    if (!Array.isArray(body.manifests)) throw invalid(`${mediaType} without a "manifests" list`);
    const manifests = body.manifests.map((m, i) => checkDescriptor(m, `manifests[${i}]`));
    return { kind, mediaType, index: { schemaVersion: 2, mediaType: declared, manifests } };
  }
  if (!Array.isArray(body.layers)) throw invalid(`${mediaType} without a "layers" list`);
  const config = checkDescriptor(body.config, 'config');
  const layers = body.layers.map((l, i) => checkDescriptor(l, `layers[${i}]`));
  return { kind, mediaType, manifest: { schemaVersion: 2, mediaType: declared, config, layers } };
}
