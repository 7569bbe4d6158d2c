import { createHash } from 'node:crypto';
import { BerthError, ErrorCode, isBerthError } from '@berth/errors';
import { type Reference, repositoryName } from '@berth/reference';
import { basicAuthorization, parseChallenges, readTokenResponse, type Credentials, type TokenResponse } from './auth';
import { endpointsFor, mayUsePlainHttp, registryHost, validateEndpointConfig, type Endpoint, type EndpointConfig } from './endpoints';
import { httpGet, type RegistryResponse } from './http-get';
import { readLimited, statusError } from './http-status';
import { Attempt, TransientError, withRetries, type RetryPolicy } from './retry';

export interface RegistryClientOptions extends EndpointConfig {
  // Credentials for a registry domain (docker.io, host:port), e.g. from ~/.berth/config.json.
  credentials?: (registry: string) => Credentials | undefined;
  retries?: number;
  backoffMs?: number;
  inactivityTimeoutMs?: number;
  userAgent?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

type Scheme = 'https' | 'http';

/*
 * A client for OCI Distribution registries. It keeps what outlives one repository: bearer tokens
 * by realm, service, scope and user, and which scheme each insecure-allowed host speaks. Requests
 * go through `RegistrySession`s, one per repository.
 */
export class RegistryClient {
  readonly policy: RetryPolicy;
  private readonly tokens = new Map<string, TokenResponse>();
  private readonly schemes = new Map<string, Promise<Scheme>>();

  constructor(readonly options: RegistryClientOptions = {}) {
    validateEndpointConfig(options);
    this.policy = { retries: options.retries ?? 3, backoffMs: options.backoffMs ?? 500, inactivityTimeoutMs: options.inactivityTimeoutMs ?? 30_000 };
  }

  get userAgent(): string {
    return this.options.userAgent ?? 'berth/0.1';
  }

  // `scopes`: the token scopes asked for beyond pulling this repository (a push asks for
  // `repository:NAME:pull,push` and, to mount, pull on the source repositories).
  session(ref: Reference, credentials?: Credentials, scopes: readonly string[] = []): RegistrySession {
    return new RegistrySession(this, ref, credentials ?? this.options.credentials?.(ref.domain), scopes);
  }

  cachedToken(key: string): string | undefined {
    const token = this.tokens.get(key);
    return token && token.expiresAt > Date.now() ? token.token : undefined;
  }

  storeToken(key: string, token: TokenResponse): void {
    this.tokens.set(key, token);
  }

  /*
   * HTTPS unless plain HTTP is allowed for the host; then HTTPS is still tried first (once per
   * host, answers cached) and HTTP is used only when the host does not speak TLS — docker's order.
   */
  async scheme(domain: string, signal?: AbortSignal): Promise<Scheme> {
    const host = registryHost(domain);
    if (!mayUsePlainHttp(host, this.options.insecureRegistries)) return 'https';
    let known = this.schemes.get(host);
    if (!known) {
      known = probeTls(host, this.policy.inactivityTimeoutMs, signal);
      this.schemes.set(host, known);
      known.catch(() => this.schemes.delete(host));
    }
    return known;
  }

  endpoints(domain: string, scheme: Scheme): Endpoint[] {
    return endpointsFor(domain, this.options, scheme);
  }
}

async function probeTls(host: string, timeoutMs: number, signal?: AbortSignal): Promise<Scheme> {
  const attempt = new Attempt(signal, Math.min(timeoutMs, 5000));
  try {
    const res = await fetch(`https://${host}/v2/`, { signal: attempt.signal, redirect: 'manual' });
    await res.body?.cancel().catch(() => undefined);
    return 'https';
  } catch {
    if (signal?.aborted) throw new BerthError(ErrorCode.Canceled, 'the pull was canceled');
    return 'http';
  } finally {
    attempt.done();
  }
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  // What is being fetched, for messages: `manifest latest`.
  what: string;
  // The code a 404 gets when the registry does not name one.
  notFound: ErrorCode;
  // Extra statuses the caller handles itself (206 for ranges).
  accept?: number[];
  // A request body, made afresh for each send (a 401 answered with a token sends it again).
  body?: () => NonNullable<RequestInit['body']>;
  // An absolute URL or a path on the endpoint instead of one under the repository (an upload's
  // Location).
  url?: string;
}

// Requests to one repository of one registry, authenticated as its challenges ask.
export class RegistrySession {
  readonly repository: string;
  private endpointList: Promise<Endpoint[]> | undefined;
  private readonly authorization = new Map<string, string>();

  constructor(
    private readonly client: RegistryClient,
    readonly ref: Reference,
    private readonly credentials: Credentials | undefined,
    private readonly scopes: readonly string[] = [],
  ) {
    this.repository = repositoryName(ref);
  }

  get policy(): RetryPolicy {
    return this.client.policy;
  }

  endpoints(signal?: AbortSignal): Promise<Endpoint[]> {
    this.endpointList ??= this.client.scheme(this.ref.domain, signal).then((scheme) => this.client.endpoints(this.ref.domain, scheme));
    return this.endpointList;
  }

  /*
   * Runs `fn` against each endpoint in turn (mirrors, then the registry itself) until one
   * succeeds. A mirror that fails for any reason but cancellation or bad content passes the
   * request on; the registry's own failure is the one reported.
   */
  async onEndpoints<T>(signal: AbortSignal | undefined, fn: (endpoint: Endpoint) => Promise<T>): Promise<T> {
    const endpoints = await this.endpoints(signal);
    let lastError: unknown;
    for (const endpoint of endpoints) {
      try {
        return await fn(endpoint);
      } catch (err) {
        lastError = err;
        const final = !endpoint.mirror || isBerthError(err, ErrorCode.Canceled) || isBerthError(err, ErrorCode.DigestMismatch) || isBerthError(err, ErrorCode.ManifestInvalid);
        if (final) throw err;
      }
    }
    throw lastError;
  }

  // GET /v2/ — whether the registry answers, authenticating if it asks.
  async ping(options: RequestOptions = {}): Promise<void> {
    await this.onEndpoints(options.signal, (endpoint) =>
      withRetries(this.policy, options.signal, `ping ${endpoint.base}`, async (attempt) => {
        const res = await this.send(endpoint, '', attempt, { what: `ping ${endpoint.base}`, notFound: ErrorCode.NotFound });
        await res.body?.cancel().catch(() => undefined);
      }),
    );
  }

  /*
   * One request under the repository (`manifests/latest`, `blobs/sha256:...`); '' is /v2/ itself.
   * A 401 is answered once: its challenge is satisfied (Basic, or a Bearer token fetched from the
   * realm, anonymously or with the caller's credentials) and the request is sent again.
   */
  async send(endpoint: Endpoint, path: string, attempt: Attempt, options: SendOptions): Promise<RegistryResponse> {
    const url = options.url !== undefined ? new URL(options.url, endpoint.base).toString() : path === '' ? `${endpoint.base}/v2/` : `${endpoint.base}/v2/${this.ref.path}/${path}`;
    const method = options.method ?? 'GET';
    const request = (authorization: string | undefined): Promise<RegistryResponse> => {
      const headers = { 'User-Agent': this.client.userAgent, ...options.headers, ...(authorization ? { Authorization: authorization } : {}) };
      // Reads go through node:http, which carries blobs at a fraction of fetch's CPU; uploads
      // keep fetch's request bodies.
      if ((method === 'GET' || method === 'HEAD') && !options.body) return httpGet(url, { method, headers, signal: attempt.signal });
      return fetch(url, { method, ...(options.body ? { body: options.body(), duplex: 'half' } : {}), headers, signal: attempt.signal, redirect: 'follow' });
    };
    const sent = this.authorization.get(endpoint.base);
    let res = await request(sent);
    attempt.touch();
    if (res.status === 401) {
      const header = res.headers.get('www-authenticate');
      await res.body?.cancel().catch(() => undefined);
      if (header) {
        this.authorization.set(endpoint.base, await this.authorize(endpoint, header, attempt, sent));
        res = await request(this.authorization.get(endpoint.base));
        attempt.touch();
      }
    }
    if (res.ok || options.accept?.includes(res.status)) return res;
    throw await statusError(res, attempt, options.what, this.repository, options.notFound);
  }

  // `refused` is the Authorization the registry just answered 401 to: a token it no longer takes
  // (expired early, revoked) is fetched anew rather than served from the cache.
  private async authorize(endpoint: Endpoint, header: string, attempt: Attempt, refused: string | undefined): Promise<string> {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return `Bearer ${await this.token(endpoint, bearer.params, attempt, refused)}`;
    const basic = challenges.find((c) => c.scheme === 'basic');
    const credentials = basic && this.credentials ? basicAuthorization(this.credentials) : undefined;
    if (basic && credentials) return credentials;
    throw new BerthError(ErrorCode.Unauthenticated, `${endpoint.base} requires authentication (${challenges.map((c) => c.scheme).join(', ') || 'no challenge'}): log in first`);
  }

  private async token(endpoint: Endpoint, params: Record<string, string>, attempt: Attempt, refused: string | undefined): Promise<string> {
    const realm = params.realm;
    if (!realm) throw new BerthError(ErrorCode.Unauthenticated, `${endpoint.base} sent a Bearer challenge without a realm`);
    const scopes = new Set([`repository:${this.ref.path}:pull`, ...this.scopes]);
    if (params.scope) for (const scope of params.scope.split(' ')) scopes.add(scope);
    const url = new URL(realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const basic = this.credentials ? basicAuthorization(this.credentials) : undefined;
    // Tokens are cached per identity: a hash of the credentials, never the credentials themselves.
    const key = `${url.toString()}|${basic ? createHash('sha256').update(basic).digest('hex') : 'anonymous'}`;
    const cached = this.client.cachedToken(key);
    if (cached && `Bearer ${cached}` !== refused) return cached;
    const res = await fetch(url, { headers: { 'User-Agent': this.client.userAgent, ...(basic ? { Authorization: basic } : {}) }, signal: attempt.signal });
    attempt.touch();
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => undefined);
      throw new BerthError(ErrorCode.Unauthenticated, basic ? `login to ${registryHost(this.ref.domain)} failed: incorrect username or password` : `${url.host} refused an anonymous token for ${this.repository}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 500) throw new TransientError(`token server ${url.host} answered ${res.status}`);
      throw new BerthError(ErrorCode.Unauthenticated, `token server ${url.host} answered ${res.status}`);
    }
    const body = await readLimited(res, 1024 * 1024, attempt);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body?.toString('utf8') ?? '');
    } catch {
      throw new BerthError(ErrorCode.Unauthenticated, `token server ${url.host} sent an unreadable answer`);
    }
    const token = readTokenResponse(parsed, Date.now());
    this.client.storeToken(key, token);
    return token.token;
  }
}
