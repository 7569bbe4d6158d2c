import { invalidArgument } from '@berth/errors';
import type { daemon } from '@berth/proto';
import { parseReference } from '@berth/reference';
import { searchRegistry, type RegistryClient } from '@berth/registry-client';
import { registryAuth } from './registry-auth';
import { searchFilter } from './search-filters';

const DEFAULT_LIMIT = 25;

// docker's split of a search term: a first component that looks like a host (a dot, a port or
// localhost) names the registry; anything else is searched on Docker Hub.
export function splitSearchTerm(term: string): { domain: string; remote: string } {
  const slash = term.indexOf('/');
  const first = slash < 0 ? '' : term.slice(0, slash);
  if (slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return { domain: 'docker.io', remote: term };
  // Checked as the host of a reference, so a bad one gets the parser's error.
  return { domain: parseReference(`${first}/x`).domain, remote: term.slice(slash + 1) };
}

export async function searchImages(registry: RegistryClient, request: daemon.SearchImagesRequest, signal?: AbortSignal): Promise<daemon.SearchImagesResponse> {
  if (request.term.trim() === '') throw invalidArgument('a search term is required');
  const keep = searchFilter(request.filters);
  const { domain, remote } = splitSearchTerm(request.term);
  const results = await searchRegistry(registry, domain, remote, request.limit || DEFAULT_LIMIT, registryAuth(request.auth), signal);
  return { results: results.filter(keep) };
}
