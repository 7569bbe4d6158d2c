import type { daemon } from '@berth/proto';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { configDir, loadCredentials } from '../credentials-file';
import { filterArg } from '../format/filter-arg';
import { fieldColumn, renderListing } from '../format/listing';
import { ellipsis } from '../format/truncate';
import { parseInteger } from '../parse/units';
import { registryDomainOf } from './registry-domain';

interface SearchFlags {
  filter: string[];
  format?: string;
  limit?: number;
  trunc: boolean;
}

// docker's search table: no AUTOMATED column since docker 25.
const COLUMNS = [fieldColumn('Name', 'NAME'), fieldColumn('Description', 'DESCRIPTION'), fieldColumn('StarCount', 'STARS'), fieldColumn('IsOfficial', 'OFFICIAL')];
const DESCRIPTION_WIDTH = 45;

// The registry whose stored credentials go with the search: the term's first component when it
// looks like a host (docker's rule), else Docker Hub.
function searchDomain(term: string): string {
  const slash = term.indexOf('/');
  const first = slash < 0 ? '' : term.slice(0, slash);
  const hostLike = first.includes('.') || first.includes(':') || first === 'localhost';
  try {
    return hostLike ? registryDomainOf(first) : 'docker.io';
  } catch {
    // A bad host is the daemon's to refuse, with its own message.
    return 'docker.io';
  }
}

// One row as docker's (28) search formatter shows it to templates: all strings, `[OK]` for
// official; it has no IsAutomated any more.
export function searchRow(result: daemon.SearchResult, truncate: boolean): Record<string, string> {
  const description = result.description.replace(/[\r\n]/g, ' ');
  return {
    Name: result.name,
    Description: truncate ? ellipsis(description, DESCRIPTION_WIDTH) : description,
    StarCount: String(result.starCount),
    IsOfficial: result.isOfficial ? '[OK]' : '',
  };
}

// `--format json`: docker marshals IsOfficial as "true"/"false", keys in Go's order.
const searchJson = (row: Record<string, string>): Record<string, string> => ({
  Description: row.Description ?? '',
  IsOfficial: String(row.IsOfficial === '[OK]'),
  Name: row.Name ?? '',
  StarCount: row.StarCount ?? '',
});

// docker search [OPTIONS] TERM: the daemon asks the registry the term names.
export function searchCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('search', ctx.io)
    .usage('[OPTIONS] TERM')
    .description('Search Docker Hub for images')
    .argument('[args...]')
    .typedOption<string[]>('-f, --filter <filter>', 'Filter output based on conditions provided', filterArg, [])
    .option('--format <string>', 'Pretty-print search using a Go template')
    .typedOption('--limit <int>', 'Max number of search results', parseInteger)
    .option('--no-trunc', "Don't truncate output");
  return cmd.action(async (args: string[], flags: SearchFlags) => {
    cmd.requireArgs(args, 1, 1);
    const term = args[0] ?? '';
    const auth = await loadCredentials(configDir(ctx.io.env), searchDomain(term));
    const response = await ctx.daemon().call('searchImages', { term, limit: flags.limit ?? 0, auth, filters: flags.filter });
    const rows = response.results.map((r) => searchRow(r, flags.trunc));
    ctx.io.stdout.write(renderListing(rows, COLUMNS, flags.format, (row) => (flags.format === 'json' ? searchJson(row) : row)));
  });
}
