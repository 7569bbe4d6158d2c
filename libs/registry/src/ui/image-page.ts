import { BerthError } from '@berth/errors';
import { formatBytes, html, href } from './html';
import { summarize, type ManifestSummary } from './image-summary';
import { layout } from './layout';
import { notFoundPage } from './not-found-page';
import { type PageDeps, type PageResult } from './page';

// One manifest by tag or digest: an image's layers, history and config, or an index's images.
export async function imagePage(deps: PageDeps, name: string, reference: string): Promise<PageResult> {
  if (!(await deps.mayPull(name))) return notFoundPage(deps.page, `Repository ${name}`);
  let summary: ManifestSummary;
  try {
    summary = await summarize(deps.registry, name, reference);
  } catch (err) {
    if (err instanceof BerthError) return notFoundPage(deps.page, `Image ${name}:${reference}`);
    throw err;
  }
  const overview = html`<p><a href="${href('/ui/repository', { name })}">${name}</a> · <code id="manifest-digest">${summary.digest}</code></p>
<table id="overview"><tbody>
<tr><th>Media type</th><td>${summary.mediaType}</td></tr>
<tr><th>Size</th><td>${formatBytes(summary.size)}</td></tr>
<tr><th>Created</th><td>${summary.created ?? ''}</td></tr>
<tr><th>Platforms</th><td>${summary.platforms.join(', ')}</td></tr>
</tbody></table>`;
  return { status: 200, body: layout(`${name}:${reference}`, deps.page, html`${overview}${summary.children.length > 0 ? indexBody(name, summary) : imageBody(summary)}`) };
}

function indexBody(name: string, summary: ManifestSummary): ReturnType<typeof html> {
  const rows = summary.children.map(
    (c) => html`<tr class="child"><td class="platform">${c.platform}</td><td><a href="${href('/ui/image', { name, ref: c.digest })}"><code>${c.digest}</code></a></td><td>${formatBytes(c.size)}</td></tr>`,
  );
  return html`<h2>Images</h2><table id="children"><thead><tr><th>Platform</th><th>Digest</th><th>Size</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function imageBody(summary: ManifestSummary): ReturnType<typeof html> {
  const layers = summary.layers.map(
    (l) => html`<tr class="layer"><td><code class="digest">${l.digest}</code></td><td class="size">${formatBytes(l.size)}</td><td class="media-type">${l.mediaType}</td></tr>`,
  );
  const history = (summary.image?.history ?? []).map(
    (h) => html`<tr class="history"><td>${h.created ?? ''}</td><td><code>${h.createdBy ?? ''}</code></td><td>${h.emptyLayer ? 'no layer' : ''}</td><td>${h.comment ?? ''}</td></tr>`,
  );
  const config = summary.image?.config === undefined ? '' : JSON.stringify(summary.image.config, null, 2);
  return html`<h2>Layers</h2>
<table id="layers"><thead><tr><th>Digest</th><th>Size</th><th>Media type</th></tr></thead><tbody>${layers}</tbody></table>
<h2>History</h2>
<table id="history"><thead><tr><th>Created</th><th>Created by</th><th></th><th>Comment</th></tr></thead><tbody>${history}</tbody></table>
<h2>Config</h2>
<pre id="config">${config}</pre>`;
}
