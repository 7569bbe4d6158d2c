import { html } from './html';
import { layout, type PageContext } from './layout';
import { type PageResult } from './page';

export function signInPage(page: PageContext, error?: string, user = ''): PageResult {
  const body = html`${error ? html`<p class="error" id="sign-in-error">${error}</p>` : ''}
<form class="sign-in" method="post" action="/ui/sign-in">
<label>Username <input name="username" autocomplete="username" value="${user}" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`;
  return { status: error ? 401 : 200, body: layout('Sign in', page, body) };
}
