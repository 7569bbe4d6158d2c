import { familiarString, isImageIdPrefix, normalizeReference, parseReference } from './reference';

describe('references', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['alice/app', 'docker.io/alice/app:latest', 'alice/app:latest'],
    ['hub.example/app', 'hub.example/app:latest', 'hub.example/app:latest'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag', 'localhost:5000/a/b:tag'],
    ['localhost/busybox:peer', 'localhost/busybox:peer', 'localhost/busybox:peer'],
    ['127.0.0.1:5001/x', '127.0.0.1:5001/x:latest', '127.0.0.1:5001/x:latest'],
    [`host:5000/a/b:t@sha256:${'a'.repeat(64)}`, `host:5000/a/b:t@sha256:${'a'.repeat(64)}`, `host:5000/a/b:t@sha256:${'a'.repeat(64)}`],
  ])('%s normalises to %s', (input, full, familiar) => {
    expect(normalizeReference(input)).toBe(full);
    expect(familiarString(parseReference(full))).toBe(familiar);
  });

  it.each([
    ['', /invalid reference format/],
    ['Busybox', /must be lowercase/],
    ['alice/App', /must be lowercase/],
    ['busybox:', /invalid tag/],
    ['busybox:bad tag', /invalid/],
    ['busybox@sha256:abc', /invalid digest/],
    ['a//b', /invalid reference format/],
    ['-a', /invalid reference format/],
    ['a/../b', /invalid reference format/],
    [' busybox', /invalid reference format/],
    ['x'.repeat(300), /255/],
  ])('refuses %j', (input, message) => {
    expect(() => parseReference(input)).toThrow(message);
  });

  it('tells image ID prefixes apart', () => {
    expect(isImageIdPrefix('abc123')).toBe(true);
    expect(isImageIdPrefix(`sha256:${'f'.repeat(64)}`)).toBe(true);
    expect(isImageIdPrefix('busybox')).toBe(false);
  });
});
