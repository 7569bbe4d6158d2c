import { type Digest } from './names';

/*
 * Where everything lives in the storage (under <root>/registry for the filesystem backend), the
 * layout of distribution's own registry:
 *
 *   blobs/<alg>/<hex[0:2]>/<hex>/data                      every blob and manifest, once, by digest
 *   repositories/<name>/_layers/<alg>/<hex>/link           a blob is visible in <name>
 *   repositories/<name>/_manifests/revisions/<alg>/<hex>/link  a manifest of <name> (JSON record)
 *   repositories/<name>/_manifests/tags/<tag>/current/link the digest a tag points at
 *   repositories/<name>/_manifests/referrers/<alg>/<subject hex>/<alg>-<hex>
 *                                                          a manifest whose subject is that digest
 *   uploads/<uuid>/info, uploads/<uuid>/data               an upload in progress (resumable)
 */
export const REPOSITORIES = 'repositories';
export const UPLOADS = 'uploads';

export const blobPath = (d: Digest): string => `blobs/${d.algorithm}/${d.hex.slice(0, 2)}/${d.hex}/data`;
export const repoPath = (name: string): string => `${REPOSITORIES}/${name}`;
export const layerLinkPath = (name: string, d: Digest): string => `${repoPath(name)}/_layers/${d.algorithm}/${d.hex}/link`;
export const revisionPath = (name: string, d: Digest): string => `${repoPath(name)}/_manifests/revisions/${d.algorithm}/${d.hex}/link`;
export const tagsPath = (name: string): string => `${repoPath(name)}/_manifests/tags`;
export const tagPath = (name: string, tag: string): string => `${tagsPath(name)}/${tag}`;
export const tagLinkPath = (name: string, tag: string): string => `${tagPath(name, tag)}/current/link`;
export const referrersPath = (name: string, subject: Digest): string =>
  `${repoPath(name)}/_manifests/referrers/${subject.algorithm}/${subject.hex}`;
export const referrerPath = (name: string, subject: Digest, d: Digest): string => `${referrersPath(name, subject)}/${d.algorithm}-${d.hex}`;
export const uploadPath = (id: string): string => `${UPLOADS}/${id}`;
export const uploadInfoPath = (id: string): string => `${uploadPath(id)}/info`;
export const uploadDataPath = (id: string): string => `${uploadPath(id)}/data`;
