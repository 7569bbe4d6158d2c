import { ErrorCode } from '@berth/errors';
import { checkName, checkTag, isTag, parseDigest } from './names';

describe('repository names', () => {
  it.each(['a', 'library/busybox', 'a.b/c_d/e__f/g--h', 'x1/y2/z3'])('accepts %s', (name) => {
    expect(checkName(name)).toBe(name);
  });

  it.each(['', 'A', 'Library/busybox', 'a/../b', '..', 'a/./b', 'a//b', '/a', 'a/', 'a_', '-a', 'a b', 'a%2e', 'a'.repeat(256)])('refuses %j', (name) => {
    expect(() => checkName(name)).toThrow(expect.objectContaining({ code: ErrorCode.NameInvalid }));
  });
});

describe('tags and digests', () => {
  it('accepts the spec grammar for tags', () => {
    expect(isTag('v1.0_rc-1')).toBe(true);
    expect(isTag('_x')).toBe(true);
    expect(isTag('.x')).toBe(false);
    expect(isTag('-x')).toBe(false);
    expect(isTag('a'.repeat(129))).toBe(false);
    expect(() => checkTag('bad/tag')).toThrow(expect.objectContaining({ code: ErrorCode.ManifestInvalid }));
  });

  it('parses sha256 and sha512 digests and refuses the rest', () => {
    expect(parseDigest(`sha256:${'a'.repeat(64)}`)).toEqual({ algorithm: 'sha256', hex: 'a'.repeat(64) });
    expect(parseDigest(`sha512:${'b'.repeat(128)}`).algorithm).toBe('sha512');
    for (const bad of ['sha256:', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `md5:${'a'.repeat(32)}`, 'nocolon', `sha256:${'a'.repeat(64)}/..`]) {
      expect(() => parseDigest(bad)).toThrow(expect.objectContaining({ code: ErrorCode.DigestInvalid }));
    }
  });
});
