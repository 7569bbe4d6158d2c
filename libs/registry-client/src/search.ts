import { BerthError, ErrorCode } from '@berth/errors';
import { basicAuthorization, type Credentials } from './auth';
import type { RegistryClient } from './registry-client';
import { TransientError, withRetries } from './retry';

// One result of docker's v1 search API.
export interface SearchResult {
  name: string;
  description: string;
  starCount: number;
  isOfficial: boolean;
  isAutomated: boolean;
}

// Docker's search answers at most 100 results.
const MAX_LIMIT = 100;
// Docker Hub serves search on its index host, not on the registry's.
const DOCKER_HUB_INDEX = 'https://index.docker.io';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/*
 * `GET /v1/search?q=TERM&n=LIMIT` on the registry `domain` (docker.io: Docker Hub's index), as
 * docker's daemon asks it; Basic credentials when given, so a Hub also lists private
 * repositories its user may pull. Plain HTTP only where the client allows it (loopback,
 * insecure registries).
 */
export async function searchRegistry(client: RegistryClient, domain: string, term: string, limit: number, credentials?: Credentials, signal?: AbortSignal): Promise<SearchResult[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new BerthError(ErrorCode.InvalidArgument, `limit ${limit} is outside the range of [1, ${MAX_LIMIT}]`);
  let base = DOCKER_HUB_INDEX;
  if (domain !== 'docker.io') {
    const endpoints = client.endpoints(domain, await client.scheme(domain, signal));
    base = endpoints[endpoints.length - 1]!.base;
  }
  const url = `${base}/v1/search?${new URLSearchParams({ q: term, n: String(limit) }).toString()}`;
  const authorization = credentials && basicAuthorization(credentials);
  return withRetries(client.policy, signal, `search ${base}`, async (attempt) => {
    const res = await fetch(url, { headers: { 'User-Agent': client.userAgent, ...(authorization ? { Authorization: authorization } : {}) }, signal: attempt.signal });
    attempt.touch();
    const body = (await res.json().catch(() => undefined)) as unknown;
    if (res.status === 401 || res.status === 403) throw new BerthError(ErrorCode.Unauthenticated, `search ${base}: unauthorized`);
    if (res.status >= 500) throw new TransientError(`search ${base}: the registry answered ${res.status}`);
    if (!res.ok || !isObject(body) || !Array.isArray(body.results)) {
      throw new BerthError(ErrorCode.FailedPrecondition, `search ${base}: the registry answered ${res.status} without search results`);
    }
    // Entries without a name are not results.
    return body.results.filter((r): r is Json => isObject(r) && typeof r.name === 'string' && r.name !== '').map((r) => ({
      name: r.name as string,
      description: typeof r.description === 'string' ? r.description : '',
      starCount: typeof r.star_count === 'number' ? r.star_count : 0,
      isOfficial: r.is_official === true,
      isAutomated: r.is_automated === true,
    }));
  });
}
