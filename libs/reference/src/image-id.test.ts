import { validateDigest, digestHex, isDigest } from './digest';
import { imageIdHex, isFullImageId, isImageIdPrefix, shortImageId } from './image-id';

const hex = '0123456789abcdef'.repeat(4);

describe('image IDs', () => {
  it('recognises full IDs with and without the algorithm', () => {
    expect(isFullImageId(`sha256:${hex}`)).toBe(true);
    expect(isFullImageId(hex)).toBe(true);
    expect(isFullImageId(hex.slice(1))).toBe(false);
    expect(isFullImageId(`sha512:${hex}`)).toBe(false);
  });
  it('recognises short ID prefixes', () => {
    expect(isImageIdPrefix('0123ab')).toBe(true);
    expect(isImageIdPrefix('sha256:01')).toBe(true);
    expect(isImageIdPrefix('busybox')).toBe(false);
    expect(isImageIdPrefix('ABC')).toBe(false);
    expect(isImageIdPrefix('')).toBe(false);
  });
  it('shortens and strips', () => {
    expect(imageIdHex(`sha256:${hex}`)).toBe(hex);
    expect(shortImageId(`sha256:${hex}`)).toBe('0123456789ab');
  });
});

describe('digests', () => {
  it('validates sha256 digests', () => {
    expect(isDigest(`sha256:${hex}`)).toBe(true);
    expect(digestHex(`sha256:${hex}`)).toBe(hex);
    expect(() => validateDigest(hex)).toThrow(/invalid digest/);
    expect(() => validateDigest(`sha256:${hex.toUpperCase()}`)).toThrow(/invalid digest/);
    expect(() => validateDigest(`sha256:${hex}0`)).toThrow(/invalid digest/);
  });
});
