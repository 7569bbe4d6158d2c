import { ErrorCode, isBerthError } from '@berth/errors';
import { familiarize, normalizeReference, parseReference } from './reference';

function expectInvalid(input: string, message: string | RegExp): void {
  let thrown: unknown;
  try {
    parseReference(input);
  } catch (err) {
    thrown = err;
  }
  expect(isBerthError(thrown, ErrorCode.InvalidArgument)).toBe(true);
  expect((thrown as Error).message).toMatch(message);
}

describe('normalizeReference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['user/app', 'docker.io/user/app:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:x', 'docker.io/library/busybox:x'],
    ['hub.example/app:v1', 'hub.example/app:v1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag'],
    ['host:5000/a/b:tag@sha256:' + 'a'.repeat(64), 'host:5000/a/b:tag@sha256:' + 'a'.repeat(64)],
    ['busybox@sha256:' + 'b'.repeat(64), 'docker.io/library/busybox@sha256:' + 'b'.repeat(64)],
    ['user/a.b-c__d-e--f:T_1.x-y', 'docker.io/user/a.b-c__d-e--f:T_1.x-y'],
    ['[::1]:5000/app', '[::1]:5000/app:latest'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeReference(input)).toBe(expected);
  });
});

describe('familiarize', () => {
  it.each([
    ['docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/user/app:v2', 'user/app:v2'],
    ['docker.io/library/a/b:v2', 'library/a/b:v2'],
    ['hub.example/app:v1', 'hub.example/app:v1'],
    ['localhost:5000/app', 'localhost:5000/app'],
  ])('%s -> %s', (input, expected) => {
    expect(familiarize(input)).toBe(expected);
  });
});

describe('parseReference rejects', () => {
  it('upper case repository names, naming the normalised repository', () => {
    expectInvalid('Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase');
    expectInvalid('user/App:v1', 'repository name (user/App) must be lowercase');
  });
  it('bad tags', () => {
    expectInvalid('busybox:-x', /invalid reference format: tag \(-x\)/);
    expectInvalid('busybox:a$b', /tag \(a\$b\)/);
    expectInvalid('busybox:' + 'a'.repeat(129), /tag/);
    expectInvalid('busybox:', /tag \(\)/);
  });
  it('bad digests', () => {
    expectInvalid('busybox@sha256:abc', /digest \(sha256:abc\)/);
    expectInvalid('busybox@md5:' + 'a'.repeat(32), /digest/);
    expectInvalid('busybox@sha256:' + 'A'.repeat(64), /digest/);
  });
  it('64-hex repository names', () => {
    expectInvalid('f'.repeat(64), /cannot specify 64-byte hexadecimal strings/);
  });
  it('malformed names', () => {
    for (const input of ['', ':tag', 'a//b', 'a/', '/a', 'a_-b', 'a..b', 'hub..example/x', 'a b', '-a', 'a/b_']) {
      expectInvalid(input, /invalid reference format/);
    }
  });
  it('names over 255 characters', () => {
    expectInvalid('a/' + 'b'.repeat(260), /255 characters/);
  });
});

describe('parseReference', () => {
  it('keeps a missing tag missing', () => {
    expect(parseReference('busybox')).toEqual({ domain: 'docker.io', path: 'library/busybox' });
  });
  it('splits tag and digest', () => {
    const digest = 'sha256:' + 'c'.repeat(64);
    expect(parseReference(`hub.example:443/a/b:v1@${digest}`)).toEqual({ domain: 'hub.example:443', path: 'a/b', tag: 'v1', digest });
  });
});
