import { type IncomingMessage, type ServerResponse } from 'node:http';
import { BerthError, ErrorCode } from '@berth/errors';
import { type Authorizer } from '../auth/authorizer';
import { isName } from '../names';
import { type Registry } from '../registry';
import { registryErrorShape } from '../http/error-map';
import { readBody } from '../http/respond';
import { html as markup } from './html';
import { imagePage } from './image-page';
import { CONTENT_SECURITY_POLICY, layout, STYLESHEET, type PageContext } from './layout';
import { notFoundPage } from './not-found-page';
import { type PageDeps, type PageResult } from './page';
import { repositoriesPage } from './repositories-page';
import { repositoryPage } from './repository-page';
import { readCookie, SESSION_COOKIE, Sessions } from './session';
import { signInPage } from './sign-in-page';
import { webhooksPage } from './webhooks-page';
import { type WebhookService } from '../webhooks/service';

export interface UiOptions {
  registry: Registry;
  // Without it every repository is shown and there is no sign-in (the library's own tests).
  auth?: Authorizer;
  sessions?: Sessions;
  webhooks?: WebhookService;
}

const MAX_FORM_BYTES = 16 * 1024;
const HOST = /^[A-Za-z0-9.\-:[\]]{1,255}$/;

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // Not no-referrer: with it Chromium sends `Origin: null` on our own form posts.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}, head = false): void {
  const payload = Buffer.from(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Content-Length': payload.length, ...headers });
  res.end(head ? undefined : payload);
}

const redirect = (res: ServerResponse, location: string, headers: Record<string, string> = {}): void =>
  send(res, 303, 'text/plain; charset=utf-8', '', { Location: location, ...headers });

// The web UI: `/` and `/ui/...`, server-rendered, no scripts. Who the viewer is comes from the
// session cookie only (never Basic credentials, which a browser would replay on its own); what
// they may see is the Authorizer's pull rule.
export async function handleUi(options: UiOptions, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  try {
    await routeUi(options, req, res, path, query);
  } catch (err) {
    // A refusal (bad method, cross-origin post, oversized form) as a page; failures of the Hub
    // itself go on to the registry handler, which logs them.
    if (res.headersSent || !(err instanceof BerthError) || err.code === ErrorCode.Internal) throw err;
    const status = registryErrorShape(err).status;
    if (status >= 500) throw err;
    const body = layout('Error', { accounts: false }, markup`<p class="error">${err.message}</p>`);
    send(res, status, 'text/html; charset=utf-8', body.value);
  }
}

async function routeUi(options: UiOptions, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const { auth, sessions } = options;
  const user = sessions?.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
  const host = req.headers.host && HOST.test(req.headers.host) ? req.headers.host : undefined;
  const page: PageContext = { user, accounts: !!(auth && sessions), host };
  const deps: PageDeps = {
    registry: options.registry,
    page,
    // An invalid name (from the query string: anything) is a repository nobody may see.
    mayPull: async (name) => {
      if (!isName(name)) return false;
      return !auth || (await auth.allowed(user, name)).includes('pull');
    },
  };
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const head = req.method === 'HEAD';
  const html = (result: PageResult): void => send(res, result.status, 'text/html; charset=utf-8', result.body.value, result.headers, head);

  if (method === 'POST') {
    checkSameOrigin(req);
    if (path === '/ui/sign-in' && auth && sessions) return signIn(auth, sessions, req, res, page);
    if (path === '/ui/sign-out' && sessions) return redirect(res, '/', { 'Set-Cookie': Sessions.clearCookie() });
    throw new BerthError(ErrorCode.Unimplemented, `method POST not supported on ${path.slice(0, 200)}`);
  }
  if (method !== 'GET') throw new BerthError(ErrorCode.Unimplemented, `method ${req.method ?? '?'} not supported here`);
  switch (path) {
    case '/':
    case '/ui':
    case '/ui/':
    case '/ui/repositories':
      return html(await repositoriesPage(deps, query.get('q') ?? ''));
    case '/ui/repository':
      return html(await repositoryPage(deps, query.get('name') ?? ''));
    case '/ui/webhooks': {
      const name = query.get('name') ?? '';
      const mayPush = isName(name) && (!auth || (await auth.allowed(user, name)).includes('push'));
      return html(await webhooksPage(deps, name, options.webhooks, mayPush));
    }
    case '/ui/image':
      return html(await imagePage(deps, query.get('name') ?? '', query.get('ref') ?? 'latest'));
    case '/ui/sign-in':
      return auth && sessions ? html(signInPage(page)) : html(notFoundPage(page, 'Page'));
    case '/ui/style.css':
      return send(res, 200, 'text/css; charset=utf-8', STYLESHEET, { 'Cache-Control': 'max-age=300' }, head);
    default:
      return html(notFoundPage(page, 'Page'));
  }
}

async function signIn(auth: Authorizer, sessions: Sessions, req: IncomingMessage, res: ServerResponse, page: PageContext): Promise<void> {
  const form = new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
  const username = form.get('username') ?? '';
  const verified = username ? await auth.options.accounts.verify(username, form.get('password') ?? '') : undefined;
  if (!verified) {
    const result = signInPage(page, 'Incorrect username or password.', username);
    send(res, result.status, 'text/html; charset=utf-8', result.body.value);
    return;
  }
  redirect(res, '/ui/repositories', { 'Set-Cookie': sessions.setCookie(verified) });
}

// Forms post only from the Hub's own pages: a browser sends Origin on every POST, and another
// site's must not sign anyone in or out.
function checkSameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  if (originHost !== req.headers.host) throw new BerthError(ErrorCode.PermissionDenied, 'cross-origin form post refused');
}
