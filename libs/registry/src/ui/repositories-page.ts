import { html, href } from './html';
import { layout } from './layout';
import { type PageDeps, type PageResult } from './page';

// The repositories the viewer may pull, filtered by the search box (a substring of the name).
export async function repositoriesPage(deps: PageDeps, query: string): Promise<PageResult> {
  const term = query.trim().toLowerCase();
  const names: string[] = [];
  for (const name of await deps.registry.repositories()) if (name.includes(term) && (await deps.mayPull(name))) names.push(name);
  const rows = names.map((name) => html`<tr><td><a class="repository" href="${href('/ui/repository', { name })}">${name}</a></td></tr>`);
  const body = html`<form class="search" method="get" action="/ui/repositories" role="search">
<input type="search" name="q" value="${query}" placeholder="Search repositories" aria-label="Search repositories">
<button type="submit">Search</button>
</form>
<p class="muted" id="result-count">${names.length} ${names.length === 1 ? 'repository' : 'repositories'}${term ? html` matching <q>${query}</q>` : ''}</p>
<table id="repositories"><thead><tr><th>Name</th></tr></thead><tbody>${rows}</tbody></table>`;
  return { status: 200, body: layout('Repositories', deps.page, body) };
}
