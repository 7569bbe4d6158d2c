import { BerthError, ErrorCode } from '@berth/errors';
import { parseDigest, type Digest } from './names';

export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const INDEX_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerList];
const IMAGE_TYPES: readonly string[] = [MediaType.OciManifest, MediaType.DockerManifest];
// Content types that say nothing about the manifest, so the body decides.
const GENERIC_TYPES: readonly string[] = ['', 'application/json', 'application/octet-stream'];

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  // Blobs (config and layers) that must be in the repository; foreign layers (with urls) excepted.
  blobs: Digest[];
  // Child manifests (of an index) that must be in the repository.
  manifests: Digest[];
  subject?: Digest;
  // What the referrers API reports for this manifest.
  artifactType?: string;
  annotations?: Record<string, string>;
}

const invalid = (message: string): BerthError => new BerthError(ErrorCode.ManifestInvalid, message);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function stringMap(value: unknown, what: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) throw invalid(`${what} must map strings to strings`);
  return value as Record<string, string>;
}

function descriptor(value: unknown, what: string): Descriptor {
  if (!isObject(value)) throw invalid(`${what} is not a descriptor`);
  const { mediaType, digest, size, urls, artifactType } = value;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${what} has no mediaType`);
  if (typeof digest !== 'string') throw invalid(`${what} has no digest`);
  try {
    parseDigest(digest);
  } catch {
    throw invalid(`${what} has an invalid digest`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${what} has an invalid size`);
  if (urls !== undefined && (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string'))) throw invalid(`${what} has invalid urls`);
  if (artifactType !== undefined && typeof artifactType !== 'string') throw invalid(`${what} has an invalid artifactType`);
  return { mediaType, digest, size, urls: urls as string[] | undefined, artifactType, annotations: stringMap(value.annotations, `${what}.annotations`) };
}

function descriptors(value: unknown, what: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(`${what} must be an array`);
  return value.map((item, i) => descriptor(item, `${what}[${i}]`));
}

// The manifest's media type from the request's Content-Type and its own mediaType field, which
// must agree; a body with both `manifests` and `layers` is ambiguous and refused.
function mediaTypeOf(contentType: string, body: Record<string, unknown>): string {
  const declared = body.mediaType;
  if (declared !== undefined && typeof declared !== 'string') throw invalid('mediaType must be a string');
  if ('manifests' in body && ('layers' in body || 'config' in body)) throw invalid('manifest has both manifests and layers/config');
  const header = contentType.split(';')[0]!.trim().toLowerCase();
  if (!GENERIC_TYPES.includes(header)) {
    if (![...INDEX_TYPES, ...IMAGE_TYPES].includes(header)) throw invalid(`unsupported manifest media type ${header}`);
    if (declared !== undefined && declared !== header) throw invalid(`mediaType ${declared} contradicts Content-Type ${header}`);
    return header;
  }
  if (declared !== undefined) {
    if (![...INDEX_TYPES, ...IMAGE_TYPES].includes(declared)) throw invalid(`unsupported manifest media type ${declared}`);
    return declared;
  }
  if ('manifests' in body) return MediaType.OciIndex;
  if ('layers' in body) return MediaType.OciManifest;
  throw invalid('cannot tell the manifest media type');
}

export function parseManifest(bytes: Uint8Array, contentType: string): ParsedManifest {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (!isObject(body)) throw invalid('manifest is not a JSON object');
  if (body.schemaVersion !== 2) throw invalid('only schemaVersion 2 manifests are supported');
  const mediaType = mediaTypeOf(contentType, body);
  const isIndex = INDEX_TYPES.includes(mediaType);
  const subject = body.subject === undefined ? undefined : descriptor(body.subject, 'subject');
  const artifactType = body.artifactType;
  if (artifactType !== undefined && typeof artifactType !== 'string') throw invalid('artifactType must be a string');
  const annotations = stringMap(body.annotations, 'annotations');
  const common = { mediaType, isIndex, subject: subject && parseDigest(subject.digest), annotations };
  if (isIndex) {
    if ('layers' in body || 'config' in body) throw invalid(`${mediaType} has layers or config`);
    const manifests = descriptors(body.manifests, 'manifests');
    return { ...common, blobs: [], manifests: manifests.map((d) => parseDigest(d.digest)), artifactType };
  }
  if ('manifests' in body) throw invalid(`${mediaType} has manifests`);
  const config = descriptor(body.config, 'config');
  const layers = descriptors(body.layers, 'layers');
  const blobs = [config, ...layers.filter((layer) => !layer.urls?.length)].map((d) => parseDigest(d.digest));
  return { ...common, blobs, manifests: [], artifactType: artifactType ?? config.mediaType };
}
