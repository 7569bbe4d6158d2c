import { BerthError, ErrorCode } from '@berth/errors';

// The manifest and layer formats Berth understands. Anything else is refused by name, so a
// registry that serves an artifact (a Helm chart, a signature) gets a clear error, not a half pull.
export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export type ManifestKind = 'manifest' | 'index';

const MANIFEST_KINDS: Record<string, ManifestKind> = {
  [MediaType.OciManifest]: 'manifest',
  [MediaType.DockerManifest]: 'manifest',
  [MediaType.OciIndex]: 'index',
  [MediaType.DockerManifestList]: 'index',
};

// Sent on every manifest request, most wanted first.
export const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.DockerManifest].join(', ');

export function manifestKind(mediaType: string): ManifestKind | undefined {
  return MANIFEST_KINDS[mediaType];
}

export type LayerCompression = 'none' | 'gzip' | 'zstd';

const LAYER_COMPRESSION: Record<string, LayerCompression> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd': 'zstd',
};

// How a layer blob is compressed, from its descriptor's media type.
export function layerCompression(mediaType: string): LayerCompression {
  const compression = LAYER_COMPRESSION[mediaType];
  if (compression === undefined) throw new BerthError(ErrorCode.ManifestInvalid, `unsupported layer media type ${JSON.stringify(mediaType)}: not an image layer`);
  return compression;
}

export function isConfigMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OciConfig || mediaType === MediaType.DockerConfig;
}
