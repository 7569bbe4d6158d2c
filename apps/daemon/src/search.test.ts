import { splitSearchTerm } from './search';
import { searchFilter } from './search-filters';

const result = (starCount: number, isOfficial: boolean, isAutomated = false): { name: string; description: string; starCount: number; isOfficial: boolean; isAutomated: boolean } => ({
  name: 'x',
  description: '',
  starCount,
  isOfficial,
  isAutomated,
});

describe('daemon search', () => {
  it("splits a term as docker does: a host-like first component names the registry", () => {
    expect(splitSearchTerm('127.0.0.1:5000/alice/app')).toEqual({ domain: '127.0.0.1:5000', remote: 'alice/app' });
    expect(splitSearchTerm('localhost/foo')).toEqual({ domain: 'localhost', remote: 'foo' });
    expect(splitSearchTerm('alice/app')).toEqual({ domain: 'docker.io', remote: 'alice/app' });
    expect(splitSearchTerm('busybox')).toEqual({ domain: 'docker.io', remote: 'busybox' });
  });

  it("applies docker's filters and refuses unknown or malformed ones", () => {
    expect(searchFilter(['is-official=true'])(result(0, true))).toBe(true);
    expect(searchFilter(['is-official=false'])(result(0, true))).toBe(false);
    expect(searchFilter(['stars=3', 'stars=5'])(result(4, false))).toBe(false);
    expect(searchFilter(['stars=3'])(result(4, false))).toBe(true);
    expect(searchFilter(['is-automated=1'])(result(4, false, true))).toBe(true);
    expect(() => searchFilter(['foo=bar'])).toThrow("invalid filter 'foo'");
    expect(() => searchFilter(['stars=many'])).toThrow("invalid filter 'stars=many'");
    expect(() => searchFilter(['is-official=maybe'])).toThrow("invalid filter 'is-official=maybe'");
  });
});
