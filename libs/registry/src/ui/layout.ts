import { html, type Html } from './html';

export interface NavItem {
  href: string;
  label: string;
}

// The links in every page's header. Another page (webhooks, say) adds its entry here and its
// route in ui-handler.ts.
export const navigation: NavItem[] = [{ href: '/ui/repositories', label: 'Repositories' }];

// Nothing but our own stylesheet: no scripts at all, no inline styles, no frames, forms posting
// only back to the Hub.
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface PageContext {
  // The signed-in user, if any.
  user?: string;
  // Whether the Hub has accounts at all (without them there is nothing to sign in to).
  accounts: boolean;
  // The Hub's address as the browser reached it, for `docker pull` lines.
  host?: string;
}

export function layout(title: string, ctx: PageContext, body: Html): Html {
  const account = !ctx.accounts
    ? html``
    : ctx.user
      ? html`<form class="account" method="post" action="/ui/sign-out"><span id="signed-in-as">${ctx.user}</span> <button type="submit">Sign out</button></form>`
      : html`<a class="account" href="/ui/sign-in">Sign in</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Berth Hub</title>
<link rel="stylesheet" href="/ui/style.css">
</head>
<body>
<header><a class="brand" href="/">Berth Hub</a><nav>${navigation.map((item) => html`<a href="${item.href}">${item.label}</a>`)}</nav>${account}</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`;
}

export const STYLESHEET = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1d2733; background: #f5f7fa; }
header { display: flex; gap: 1.5rem; align-items: center; padding: 0.8rem 1.5rem; background: #0b3d66; color: #fff; }
header a { color: #fff; text-decoration: none; }
header .brand { font-weight: 700; font-size: 1.2rem; }
header nav { display: flex; gap: 1rem; flex: 1; }
header .account { margin-left: auto; }
main { padding: 1rem 1.5rem; max-width: 72rem; }
table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: 1.5rem; }
th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #dde3ea; vertical-align: top; }
th { background: #e8eef5; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.85rem; }
pre { background: #fff; padding: 0.8rem; overflow: auto; border: 1px solid #dde3ea; white-space: pre-wrap; word-break: break-all; }
.muted { color: #66717d; }
.error { color: #a3161a; }
form.search input { padding: 0.4rem; width: 20rem; }
form.sign-in label { display: block; margin: 0.5rem 0; }
`;
