import { BerthError, ErrorCode } from '@berth/errors';

// The OCI Distribution Spec's grammar for repository names and tags.
const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
// Docker's limit on a whole repository name; keeps storage paths short.
const MAX_NAME_LENGTH = 255;

// Algorithms this registry computes; each with the exact length of its hex encoding.
const ALGORITHMS: Record<string, number> = { sha256: 64, sha512: 128 };

export interface Digest {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

export function checkName(name: string): string {
  if (name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    throw new BerthError(ErrorCode.NameInvalid, `invalid repository name ${JSON.stringify(name.slice(0, MAX_NAME_LENGTH))}`);
  }
  return name;
}

export function isName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

export function isTag(reference: string): boolean {
  return TAG.test(reference);
}

export function checkTag(tag: string): string {
  if (!isTag(tag)) throw new BerthError(ErrorCode.ManifestInvalid, `invalid tag ${JSON.stringify(tag.slice(0, 200))}`);
  return tag;
}

export function parseDigest(digest: string): Digest {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = ALGORITHMS[algorithm];
  if (colon < 0 || length === undefined || hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    throw new BerthError(ErrorCode.DigestInvalid, `invalid or unsupported digest ${JSON.stringify(digest.slice(0, 200))}`);
  }
  return { algorithm: algorithm as Digest['algorithm'], hex };
}

export function isDigest(reference: string): boolean {
  return reference.includes(':');
}

export const formatDigest = (digest: Digest): string => `${digest.algorithm}:${digest.hex}`;
