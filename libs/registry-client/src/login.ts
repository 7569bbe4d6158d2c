import { BerthError, ErrorCode } from '@berth/errors';
import { basicAuthorization, parseChallenges, type Credentials } from './auth';
import type { RegistryClient } from './registry-client';
import { withRetries, type Attempt } from './retry';

const REFUSED = 'unauthorized: incorrect username or password';

/*
 * Checks credentials against a registry as docker's /auth does: GET /v2/ and answer its
 * challenge with them (Basic, or a token asked for with no scope, `account=USER`). A registry
 * that asks for nothing accepts any login, as with docker. Never puts credentials in an error.
 */
export async function verifyLogin(client: RegistryClient, domain: string, credentials: Credentials, signal?: AbortSignal): Promise<void> {
  const basic = basicAuthorization(credentials);
  if (!basic) throw new BerthError(ErrorCode.InvalidArgument, 'a login needs a username and a password');
  const scheme = await client.scheme(domain, signal);
  const endpoints = client.endpoints(domain, scheme);
  const base = endpoints[endpoints.length - 1]!.base;
  await withRetries(client.policy, signal, `login to ${base}`, async (attempt) => {
    const first = await get(client, `${base}/v2/`, undefined, attempt);
    if (first.status !== 401) return expectOk(first, base);
    const challenges = parseChallenges(first.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (!bearer) return expectOk(await get(client, `${base}/v2/`, basic, attempt), base);
    if (!bearer.params.realm) throw new BerthError(ErrorCode.Unauthenticated, `${base} sent a Bearer challenge without a realm`);
    const url = new URL(bearer.params.realm);
    if (bearer.params.service) url.searchParams.set('service', bearer.params.service);
    if (credentials.username) url.searchParams.set('account', credentials.username);
    const tokenRes = await get(client, url.toString(), basic, attempt);
    if (tokenRes.status === 401 || tokenRes.status === 403) {
      await tokenRes.body?.cancel().catch(() => undefined);
      throw new BerthError(ErrorCode.Unauthenticated, REFUSED);
    }
    const body = (await tokenRes.json().catch(() => undefined)) as { token?: unknown; access_token?: unknown } | undefined;
    const token = typeof body?.token === 'string' ? body.token : typeof body?.access_token === 'string' ? body.access_token : undefined;
    if (!tokenRes.ok || !token) throw new BerthError(ErrorCode.Unauthenticated, `the token server of ${base} answered ${tokenRes.status} without a token`);
    return expectOk(await get(client, `${base}/v2/`, `Bearer ${token}`, attempt), base);
  });
}

async function get(client: RegistryClient, url: string, authorization: string | undefined, attempt: Attempt): Promise<Response> {
  const res = await fetch(url, { headers: { 'User-Agent': client.userAgent, ...(authorization ? { Authorization: authorization } : {}) }, signal: attempt.signal });
  attempt.touch();
  return res;
}

async function expectOk(res: Response, base: string): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
  if (res.ok) return;
  if (res.status === 401 || res.status === 403) throw new BerthError(ErrorCode.Unauthenticated, REFUSED);
  if (res.status >= 500) throw new BerthError(ErrorCode.Unavailable, `login to ${base}: the registry answered ${res.status}`);
  throw new BerthError(ErrorCode.Unauthenticated, `login to ${base}: the registry answered ${res.status}`);
}
