import { ErrorCode } from '@berth/errors';
import { parseContentRange, parseRangeHeader } from './ranges';
import { matchRoute } from './routes';

const unsatisfiable = expect.objectContaining({ code: ErrorCode.RangeNotSatisfiable });

describe('Range', () => {
  it('parses single byte ranges', () => {
    expect(parseRangeHeader(undefined, 10)).toBeUndefined();
    expect(parseRangeHeader('bytes=0-4', 10)).toEqual({ start: 0, end: 4 });
    expect(parseRangeHeader('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRangeHeader('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRangeHeader('bytes=8-100', 10)).toEqual({ start: 8, end: 9 });
  });

  it('ignores what it may ignore and refuses what cannot be satisfied', () => {
    expect(parseRangeHeader('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRangeHeader('items=0-1', 10)).toBeUndefined();
    expect(() => parseRangeHeader('bytes=10-', 10)).toThrow(unsatisfiable);
    expect(() => parseRangeHeader('bytes=5-2', 10)).toThrow(unsatisfiable);
    expect(() => parseRangeHeader('bytes=-0', 10)).toThrow(unsatisfiable);
  });

  it('parses upload Content-Range', () => {
    expect(parseContentRange('0-99')).toEqual({ start: 0, end: 99 });
    expect(parseContentRange('bytes 100-199/*')).toEqual({ start: 100, end: 199 });
    expect(() => parseContentRange('9-1')).toThrow(unsatisfiable);
    expect(() => parseContentRange('abc')).toThrow(unsatisfiable);
  });
});

describe('routes', () => {
  it('splits names with slashes from the endpoint', () => {
    expect(matchRoute('/v2/')).toEqual({ kind: 'base' });
    expect(matchRoute('/v2/_catalog')).toEqual({ kind: 'catalog' });
    expect(matchRoute('/v2/a/b/tags/list')).toEqual({ kind: 'tags', name: 'a/b' });
    expect(matchRoute('/v2/a/b/manifests/latest')).toEqual({ kind: 'manifest', name: 'a/b', reference: 'latest' });
    expect(matchRoute('/v2/a/blobs/uploads/')).toEqual({ kind: 'uploads', name: 'a' });
    expect(matchRoute('/v2/a/blobs/uploads/123')).toEqual({ kind: 'upload', name: 'a', id: '123' });
    expect(matchRoute('/v2/a/blobs/sha256:x')).toEqual({ kind: 'blob', name: 'a', digest: 'sha256:x' });
    expect(matchRoute('/v2/a/referrers/sha256:x')).toEqual({ kind: 'referrers', name: 'a', digest: 'sha256:x' });
    expect(matchRoute('/v1/x')).toBeUndefined();
  });
});
