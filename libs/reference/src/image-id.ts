// Image IDs are config digests. Users may name an image by its full ID (with or without the
// `sha256:` prefix) or by a prefix of the hex, like docker's short IDs.
const FULL_ID = /^(?:sha256:)?[0-9a-f]{64}$/;
const ID_PREFIX = /^(?:sha256:)?[0-9a-f]{1,64}$/;

export function isFullImageId(value: string): boolean {
  return FULL_ID.test(value);
}

export function isImageIdPrefix(value: string): boolean {
  return ID_PREFIX.test(value);
}

// The hex digits of a full or short ID, without the algorithm.
export function imageIdHex(value: string): string {
  return value.startsWith('sha256:') ? value.slice('sha256:'.length) : value;
}

// Docker's 12-digit short form, for messages and tables.
export function shortImageId(id: string): string {
  return imageIdHex(id).slice(0, 12);
}
