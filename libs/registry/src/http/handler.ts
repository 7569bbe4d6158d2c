import { type IncomingMessage, type ServerResponse } from 'node:http';
import { BerthError, ErrorCode, invalidArgument } from '@berth/errors';
import { type Page, type Registry } from '../registry';
import { AuthChallenge, type Authorizer, type Identity } from '../auth/authorizer';
import { type Action } from '../auth/scope';
import { storageUsage } from '../gc';
import { cancelUpload, deleteBlob, finishUpload, getBlob, patchUpload, startUpload, uploadStatus, type RequestContext } from './blob-handlers';
import { deleteManifest, getManifest, listReferrers, putManifest } from './manifest-handlers';
import { sendError, sendJson } from './respond';
import { matchRoute, type Route } from './routes';
import { serveSearch } from '../search-handler';
import { handleUi } from '../ui/ui-handler';
import { type Sessions } from '../ui/session';
import { serveWebhooks } from '../webhooks/http';
import { type WebhookService } from '../webhooks/service';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface HandlerOptions {
  // Called once per failed request that is the registry's fault (5xx), for the log.
  onInternalError?: (err: unknown, req: IncomingMessage) => void;
  // Accounts, tokens and permissions. Without it every request is allowed (the library's own
  // tests; the app always sets it, open only with --allow-anonymous-push).
  auth?: Authorizer;
  // The web UI's sign-in sessions; without them the UI shows public repositories only.
  sessions?: Sessions;
  // Push webhooks; without them (no Redis) the webhooks API answers UNSUPPORTED.
  webhooks?: WebhookService;
  // Failures of webhook bookkeeping after a push, which never fail the push itself.
  onWebhookError?: (err: unknown) => void;
}

// The OCI Distribution API over a Registry, as a node:http request listener.
export function createRegistryHandler(registry: Registry, options: HandlerOptions = {}): RequestListener {
  return (req, res) => {
    dispatch(registry, options, req, res).catch((err: unknown) => {
      // A client that hung up mid-request (a cut upload stays resumable) is not our failure.
      const clientGone = req.destroyed && !req.complete;
      if (!clientGone && (!(err instanceof BerthError) || err.code === ErrorCode.Internal)) options.onInternalError?.(err, req);
      sendError(res, err, err instanceof AuthChallenge ? { 'WWW-Authenticate': err.challenge } : {});
    });
  };
}

const notAllowed = (method: string | undefined): BerthError =>
  new BerthError(ErrorCode.Unimplemented, `method ${method ?? '?'} not supported here`);

async function dispatch(registry: Registry, options: HandlerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const auth = options.auth;
  // The raw path, not a URL-normalized one: `/v2/a/../b` must reach name validation as it is.
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1));
  const route = matchRoute(path);
  if (!route) throw new BerthError(ErrorCode.NotFound, `no such endpoint ${path.slice(0, 200)}`);
  if (route.kind === 'ui') return handleUi({ registry, auth, sessions: options.sessions, webhooks: options.webhooks }, req, res, path, query);
  const method = req.method === 'HEAD' ? 'HEAD' : req.method;
  const handler = handlers[route.kind][method ?? ''] as ((ctx: RequestContext, route: Route) => Promise<void>) | undefined;
  if (!handler) throw notAllowed(method);
  if (route.kind === 'token') {
    if (!auth) throw new BerthError(ErrorCode.NotFound, 'this registry issues no tokens');
    await issueToken(auth, req, res, query);
    return;
  }
  const identity: Identity = auth ? await auth.authenticate(req) : { via: 'anonymous' };
  if (route.kind === 'search') return serveSearch(registry, auth, identity, query, res, method === 'HEAD');
  const isWebhookRoute = route.kind === 'webhooks' || route.kind === 'webhook' || route.kind === 'deliveries';
  const mayPull = async (name: string): Promise<boolean> => !auth || (await auth.permits(identity, name, ['pull']));
  if (auth) {
    const needed = requiredActions(route, method ?? '');
    if (needed && 'name' in route) await auth.require(req, identity, route.name, needed);
    // `GET /v2/` is how clients discover the token service and check a login.
    if (route.kind === 'base' && identity.via === 'anonymous' && !auth.options.allowAnonymousPush) {
      throw new AuthChallenge('authentication required', auth.challenge(req));
    }
  }
  if (isWebhookRoute) return serveWebhooks(options.webhooks, route, method ?? '', req, res, identity.user);
  await handler({ registry, req, res, query, mayPull }, route);
  if (route.kind === 'manifest' && method === 'PUT' && res.statusCode === 201) notifyPush(registry, options, route.name, route.reference, identity.user);
}

// A manifest stored under a tag (not pushed by digest) is an event for the repository's webhooks;
// digest and media type are read back as stored.
function notifyPush(registry: Registry, options: HandlerOptions, repository: string, reference: string, pusher: string | undefined): void {
  const webhooks = options.webhooks;
  if (!webhooks || reference.includes(':')) return;
  registry
    .getManifest(repository, reference)
    .then(({ digest, mediaType }) => webhooks.onPush({ repository, tag: reference, digest, mediaType, pusher }))
    .catch((err: unknown) => options.onWebhookError?.(err));
}

// The actions a repository route needs; undefined for routes that filter by caller instead.
function requiredActions(route: Route, method: string): Action[] | undefined {
  const write = method !== 'GET' && method !== 'HEAD';
  switch (route.kind) {
    case 'tags':
    case 'referrers':
      return ['pull'];
    case 'manifest':
    case 'blob':
      return method === 'DELETE' ? ['delete'] : write ? ['push'] : ['pull'];
    case 'uploads':
    case 'upload':
    // Only who may push manages a repository's webhooks, reading them included (URLs are private).
    case 'webhooks':
    case 'webhook':
    case 'deliveries':
      return ['push'];
    default:
      return undefined;
  }
}

// GET /token?service=&scope=...: docker's token endpoint. Anonymous callers get what anonymous
// may do (public pulls); bad credentials get 401; granted actions never exceed what is asked.
async function issueToken(auth: Authorizer, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const identity = await auth.authenticate(req);
  if (identity.via === 'bearer') throw new AuthChallenge('use credentials, not a token, to get a token', auth.challenge(req));
  const access = await auth.grant(identity.user, query.getAll('scope'));
  const issued = await auth.options.tokens.issue(identity.user, auth.options.service, access);
  sendJson(res, 200, { token: issued.token, access_token: issued.token, expires_in: issued.expiresIn, issued_at: issued.issuedAt }, { 'Cache-Control': 'no-store' });
}

type Handlers<K extends Route['kind']> = Record<string, (ctx: RequestContext, route: Extract<Route, { kind: K }>) => Promise<void>>;

const handlers: { [K in Route['kind']]: Handlers<K> } = {
  base: {
    GET: async (ctx) => sendJson(ctx.res, 200, {}),
    HEAD: async (ctx) => sendJson(ctx.res, 200, {}, {}, true),
  },
  token: {
    // Served by issueToken before any handler.
    GET: async () => undefined,
  },
  usage: {
    GET: async (ctx) => {
      const repositories = [];
      for (const usage of await storageUsage(ctx.registry.driver)) if (await ctx.mayPull(usage.name)) repositories.push(usage);
      sendJson(ctx.res, 200, { repositories });
    },
  },
  catalog: {
    GET: async (ctx) => {
      const page = await ctx.registry.catalog(pageSize(ctx.query), ctx.query.get('last') ?? undefined, ctx.mayPull);
      sendJson(ctx.res, 200, { repositories: page.items }, linkHeader('/v2/_catalog', page, ctx));
    },
  },
  tags: {
    GET: async (ctx, r) => {
      const page = await ctx.registry.tags(r.name, pageSize(ctx.query), ctx.query.get('last') ?? undefined);
      sendJson(ctx.res, 200, { name: r.name, tags: page.items }, linkHeader(`/v2/${r.name}/tags/list`, page, ctx));
    },
  },
  manifest: {
    GET: (ctx, r) => getManifest(ctx, r.name, r.reference, false),
    HEAD: (ctx, r) => getManifest(ctx, r.name, r.reference, true),
    PUT: (ctx, r) => putManifest(ctx, r.name, r.reference),
    DELETE: (ctx, r) => deleteManifest(ctx, r.name, r.reference),
  },
  blob: {
    GET: (ctx, r) => getBlob(ctx, r.name, r.digest, false),
    HEAD: (ctx, r) => getBlob(ctx, r.name, r.digest, true),
    DELETE: (ctx, r) => deleteBlob(ctx, r.name, r.digest),
  },
  uploads: {
    POST: (ctx, r) => startUpload(ctx, r.name),
  },
  upload: {
    GET: (ctx, r) => uploadStatus(ctx, r.name, r.id),
    PATCH: (ctx, r) => patchUpload(ctx, r.name, r.id),
    PUT: (ctx, r) => finishUpload(ctx, r.name, r.id),
    DELETE: (ctx, r) => cancelUpload(ctx, r.name, r.id),
  },
  referrers: {
    GET: (ctx, r) => listReferrers(ctx, r.name, r.digest),
  },
  // Served before the handlers: by serveSearch and handleUi.
  search: { GET: async () => undefined, HEAD: async () => undefined },
  ui: { GET: async () => undefined },
  // Served before the handlers, by serveWebhooks.
  webhooks: { GET: async () => undefined, POST: async () => undefined },
  webhook: { GET: async () => undefined, DELETE: async () => undefined },
  deliveries: { GET: async () => undefined },
};

function pageSize(query: URLSearchParams): number | undefined {
  const n = query.get('n');
  if (n === null) return undefined;
  if (!/^\d{1,15}$/.test(n)) throw invalidArgument('n must be a non-negative integer');
  return Number(n);
}

// RFC 5988 `Link` to the next page, as docker's and the spec's clients follow it.
function linkHeader(path: string, page: Page<string>, ctx: RequestContext): Record<string, string> {
  if (page.next === undefined) return {};
  const n = Math.min(pageSize(ctx.query) ?? ctx.registry.options.maxPageSize, ctx.registry.options.maxPageSize);
  return { Link: `<${path}?n=${n}&last=${encodeURIComponent(page.next)}>; rel="next"` };
}
