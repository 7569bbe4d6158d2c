import { BerthError } from '@berth/errors';
import { formatBytes, html, href } from './html';
import { summarize } from './image-summary';
import { layout } from './layout';
import { notFoundPage } from './not-found-page';
import { type PageDeps, type PageResult } from './page';

// A repository's tags: each tag's digest, compressed size, creation time and platforms (every
// child's for an index).
export async function repositoryPage(deps: PageDeps, name: string): Promise<PageResult> {
  if (!(await deps.mayPull(name)) || !(await deps.registry.repositoryExists(name))) return notFoundPage(deps.page, `Repository ${name}`);
  const tags = (await deps.registry.tags(name, undefined, undefined)).items;
  const rows = [];
  for (const tag of tags) {
    const summary = await summarize(deps.registry, name, tag).catch((err: unknown) => {
      if (err instanceof BerthError) return undefined;
      throw err;
    });
    if (!summary) continue;
    rows.push(html`<tr class="tag">
<td><a class="tag-name" href="${href('/ui/image', { name, ref: tag })}">${tag}</a></td>
<td><code class="digest">${summary.digest}</code></td>
<td class="size">${formatBytes(summary.size)}</td>
<td class="created">${summary.created ?? ''}</td>
<td class="platforms">${summary.platforms.map((p, i) => html`${i > 0 ? ', ' : ''}<span class="platform">${p}</span>`)}</td>
</tr>`);
  }
  const pull = `docker pull ${deps.page.host ?? 'HUB'}/${name}`;
  const body = html`<p><code>${pull}</code> · <a id="webhooks-link" href="${href('/ui/webhooks', { name })}">Webhooks</a></p>
<table id="tags"><thead><tr><th>Tag</th><th>Digest</th><th>Size</th><th>Created</th><th>Platforms</th></tr></thead>
<tbody>${rows}</tbody></table>`;
  return { status: 200, body: layout(name, deps.page, body) };
}
