import { type ServerResponse } from 'node:http';
import { type Authorizer, type Identity } from './auth/authorizer';
import { sendJson } from './http/respond';
import { type Registry } from './registry';
import { parseSearchQuery, searchRepositories } from './search';

// GET /v1/search?q=&n=&page=: docker's search API over the repositories the caller may pull (by
// account, whatever scopes a bearer token holds, as a search is not about one repository).
export async function serveSearch(registry: Registry, auth: Authorizer | undefined, identity: Identity, query: URLSearchParams, res: ServerResponse, head: boolean): Promise<void> {
  const search = parseSearchQuery(query);
  const visible = async (name: string): Promise<boolean> => !auth || (await auth.allowed(identity.user, name)).includes('pull');
  sendJson(res, 200, await searchRepositories(await registry.repositories(), search, visible), {}, head);
}
