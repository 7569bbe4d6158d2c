import { invalidArgument } from '@berth/errors';

const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function assertDigest(digest: string): string {
  if (!SHA256.test(digest)) throw invalidArgument(`invalid digest ${JSON.stringify(digest)}: want sha256:<64 lowercase hex>`);
  return digest;
}

export function digestHex(digest: string): string {
  return assertDigest(digest).slice('sha256:'.length);
}
