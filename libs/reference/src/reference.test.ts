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
    [`busybox@sha256:${'b'.repeat(64)}`, `docker.io/library/busybox@sha256:${'b'.repeat(64)}`, `busybox@sha256:${'b'.repeat(64)}`],
    ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1', 'busybox:1'],
    ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:Latest_1.0-rc', 'docker.io/library/busybox:Latest_1.0-rc', 'busybox:Latest_1.0-rc'],
    // An upper-case first component is a registry host, as in docker.
    ['Foo/bar', 'Foo/bar:latest', 'Foo/bar:latest'],
    ['Registry.Example.com:443/team/app', 'Registry.Example.com:443/team/app:latest', 'Registry.Example.com:443/team/app:latest'],
    ['[::1]:5000/foo', '[::1]:5000/foo:latest', '[::1]:5000/foo:latest'],
    // A lone host:port is a name and a tag.
    ['localhost:5000', 'docker.io/library/localhost:5000', 'localhost:5000'],
    ['a__b/c-d---e.f_g', 'docker.io/a__b/c-d---e.f_g:latest', 'a__b/c-d---e.f_g:latest'],
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
    [`example.com/${'a/'.repeat(130)}b`, /255/],
    [`busybox:${'t'.repeat(129)}`, /invalid tag/],
    ['busybox:-tag', /invalid tag/],
    ['busybox:tag:tag', /invalid reference format/],
    [`busybox@sha256:${'A'.repeat(64)}`, /invalid digest/],
    [`busybox@sha256:${'a'.repeat(63)}`, /invalid digest/],
    [`busybox@md5:${'a'.repeat(32)}`, /invalid digest/],
    [`@sha256:${'a'.repeat(64)}`, /invalid reference format/],
    ['f'.repeat(64), /cannot specify 64-byte hexadecimal strings/],
    ['a_b_', /invalid reference format/],
    ['a/b.', /invalid reference format/],
    ['bad_host:5000/app', /invalid domain/],
    ['-host.com/app', /invalid domain/],
    ['host.com:port/app', /invalid domain/],
    ['busybox\n', /invalid reference format/],
  ])('refuses %j', (input, message) => {
    expect(() => parseReference(input)).toThrow(message);
  });

  it('tells image ID prefixes apart', () => {
    expect(isImageIdPrefix('abc123')).toBe(true);
    expect(isImageIdPrefix(`sha256:${'f'.repeat(64)}`)).toBe(true);
    expect(isImageIdPrefix('busybox')).toBe(false);
  });
});
