import { html, href } from './html';
import { layout } from './layout';
import { notFoundPage } from './not-found-page';
import { type PageDeps, type PageResult } from './page';
import { type WebhookService } from '../webhooks/service';

// A repository's webhooks and their recent deliveries, for those who may push to it (who manage
// the hooks through the API). Hidden like a repository one may not see otherwise.
export async function webhooksPage(deps: PageDeps, name: string, webhooks: WebhookService | undefined, mayPush: boolean): Promise<PageResult> {
  if (!mayPush || !(await deps.mayPull(name))) return notFoundPage(deps.page, `Webhooks of ${name}`);
  const title = `Webhooks · ${name}`;
  const back = html`<p><a href="${href('/ui/repository', { name })}">${name}</a></p>`;
  if (!webhooks) return { status: 200, body: layout(title, deps.page, html`${back}<p class="error">Webhooks are disabled: this Hub runs without Redis.</p>`) };
  const sections = [];
  for (const hook of await webhooks.store.list(name)) {
    const rows = (await webhooks.store.deliveries(name, hook.id)).map(
      (d) => html`<tr class="delivery">
<td class="status status-${d.status}">${d.status}</td>
<td>${d.event.tag}</td>
<td><code class="digest">${d.event.digest}</code></td>
<td class="attempts">${String(d.attempts)}</td>
<td>${d.lastStatus === undefined ? (d.lastError ?? '') : String(d.lastStatus)}</td>
<td class="created">${d.updatedAt}</td>
</tr>`,
    );
    sections.push(html`<section class="webhook">
<h2><code class="webhook-url">${hook.url}</code></h2>
<p>${hook.secret === undefined ? 'Unsigned' : 'Signed (X-Berth-Signature-256)'}, added ${hook.createdAt}${hook.createdBy ? html` by ${hook.createdBy}` : ''}</p>
<table class="deliveries"><thead><tr><th>Status</th><th>Tag</th><th>Digest</th><th>Attempts</th><th>Last answer</th><th>Updated</th></tr></thead>
<tbody>${rows}</tbody></table>
</section>`);
  }
  const body = sections.length > 0 ? html`${back}${sections}` : html`${back}<p id="no-webhooks">No webhooks. Add one with <code>POST /v2/_berth/repositories/${name}/webhooks</code>.</p>`;
  return { status: 200, body: layout(title, deps.page, body) };
}
