import { html } from './html';
import { layout, type PageContext } from './layout';
import { type PageResult } from './page';

// Also what a private repository looks like to those who may not pull it: its existence is not
// revealed.
export function notFoundPage(page: PageContext, what: string): PageResult {
  return { status: 404, body: layout('Not found', page, html`<p class="error">${what} not found${page.user ? '' : html` (<a href="/ui/sign-in">sign in</a> to see private repositories)`}.</p>`) };
}
