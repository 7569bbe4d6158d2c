import { parseSearchQuery, searchRepositories } from './search';

const q = (s: string): URLSearchParams => new URLSearchParams(s);

describe('docker search API', () => {
  const names = ['acme/api', 'alice/app', 'alice/busybox', 'bob/busybox', 'tools'];

  it('matches names by substring, only visible ones, in docker’s shape', async () => {
    const body = await searchRepositories(names, parseSearchQuery(q('q=BusyBox')), async (n) => n !== 'bob/busybox');
    expect(body).toEqual({
      num_results: 1,
      query: 'BusyBox',
      page: 1,
      num_pages: 1,
      page_size: 25,
      results: [{ name: 'alice/busybox', description: '', star_count: 0, is_official: false, is_automated: false }],
    });
  });

  it('pages with n and page, capping n at 100', async () => {
    const body = await searchRepositories(names, parseSearchQuery(q('q=&n=2&page=2')), async () => true);
    expect(body).toMatchObject({ num_results: 5, num_pages: 3, page: 2, page_size: 2 });
    expect(body.results.map((r) => r.name)).toEqual(['alice/busybox', 'bob/busybox']);
    expect(parseSearchQuery(q('q=x&n=100000')).pageSize).toBe(100);
  });

  it('refuses malformed n, page and huge terms', () => {
    expect(() => parseSearchQuery(q('q=x&n=-1'))).toThrow(/n must be/);
    expect(() => parseSearchQuery(q('q=x&page=0'))).toThrow(/page must be/);
    expect(() => parseSearchQuery(q('q=x&n=1e3'))).toThrow(/n must be/);
    expect(() => parseSearchQuery(q(`q=${'a'.repeat(300)}`))).toThrow(/over 255/);
  });
});
