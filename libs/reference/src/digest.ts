import { invalidArgument } from '@berth/errors';

// Berth addresses content with sha256 only: `sha256:` followed by 64 lowercase hex digits.
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

// Returns the digest unchanged, or throws invalidArgument naming what is wrong with it.
export function validateDigest(value: string): string {
  if (!isDigest(value)) throw invalidArgument(`invalid digest "${value}": want sha256: and 64 lowercase hex digits`);
  return value;
}

// The hex part of a valid digest, used as a file name.
export function digestHex(digest: string): string {
  return validateDigest(digest).slice('sha256:'.length);
}
