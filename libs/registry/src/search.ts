import { invalidArgument } from '@berth/errors';

// One result of docker's v1 search API; the Hub has no stars, official images or automated builds.
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

// The body of `GET /v1/search`, key for key what docker's daemon decodes.
export interface SearchResponse {
  num_results: number;
  query: string;
  page: number;
  num_pages: number;
  page_size: number;
  results: SearchResult[];
}

export interface SearchQuery {
  query: string;
  pageSize: number;
  page: number;
}

// Docker asks for 25 results unless `--limit` says otherwise, and refuses more than 100.
export const SEARCH_DEFAULT_PAGE_SIZE = 25;
export const SEARCH_MAX_PAGE_SIZE = 100;
const MAX_QUERY_LENGTH = 255;

function positive(raw: string | null, fallback: number, what: string): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw invalidArgument(`${what} must be a positive integer`);
  return Number(raw);
}

export function parseSearchQuery(query: URLSearchParams): SearchQuery {
  const q = query.get('q') ?? '';
  if (q.length > MAX_QUERY_LENGTH) throw invalidArgument(`search term over ${MAX_QUERY_LENGTH} characters`);
  return {
    query: q,
    pageSize: Math.min(positive(query.get('n'), SEARCH_DEFAULT_PAGE_SIZE, 'n'), SEARCH_MAX_PAGE_SIZE),
    page: positive(query.get('page'), 1, 'page'),
  };
}

// Repository names containing the term (case-insensitively), in name order, only those `visible`
// allows; an empty term matches every repository.
export async function searchRepositories(names: readonly string[], search: SearchQuery, visible: (name: string) => Promise<boolean>): Promise<SearchResponse> {
  const term = search.query.toLowerCase();
  const matches: string[] = [];
  for (const name of names) if (name.includes(term) && (await visible(name))) matches.push(name);
  const start = (search.page - 1) * search.pageSize;
  return {
    num_results: matches.length,
    query: search.query,
    page: search.page,
    num_pages: Math.max(1, Math.ceil(matches.length / search.pageSize)),
    page_size: search.pageSize,
    results: matches.slice(start, start + search.pageSize).map((name) => ({ name, description: '', star_count: 0, is_official: false, is_automated: false })),
  };
}
