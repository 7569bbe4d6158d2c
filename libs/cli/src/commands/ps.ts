import type { daemon } from '@berth/proto';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { containerStatus } from '../format/container-status';
import { timeAgo } from '../format/duration';
import { goTimeString } from '../format/go-time';
import { renderListing, type ListingColumn } from '../format/listing';
import { ellipsis, goQuote, shortId } from '../format/truncate';
import { parseInteger } from '../parse/units';

interface PsFlags {
  all?: boolean;
  filter: string[];
  format?: string;
  last: number;
  latest?: boolean;
  noTrunc?: boolean;
  quiet?: boolean;
}

// One `docker ps` row, by docker's template field names.
export function containerRow(container: daemon.Container, truncate: boolean, now: number): Record<string, string> {
  // The daemon's view of the command line, as docker's list builds it: arguments with spaces
  // in single quotes.
  const command = [container.path, ...container.args.map((arg) => (arg.includes(' ') ? `'${arg}'` : arg))].join(' ');
  const labels = container.config?.labels ?? {};
  return {
    ID: truncate ? shortId(container.id) : container.id,
    Image: container.image,
    Command: goQuote(truncate ? ellipsis(command, 20) : command),
    CreatedAt: goTimeString(container.created),
    RunningFor: timeAgo(container.created, now),
    Ports: '',
    State: container.state?.status ?? '',
    Status: containerStatus(container.state, now),
    Size: '0B',
    Names: container.name.replace(/^\//, ''),
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Mounts: '',
    Networks: container.hostConfig?.networkMode || 'none',
    LocalVolumes: '0',
  };
}

type Row = Record<string, string>;

const column = (field: string, header: string): ListingColumn<Row> => ({ field, header, value: (row) => row[field] ?? '' });

const COLUMNS: ListingColumn<Row>[] = [
  column('ID', 'CONTAINER ID'),
  column('Image', 'IMAGE'),
  column('Command', 'COMMAND'),
  column('RunningFor', 'CREATED'),
  column('Status', 'STATUS'),
  column('Ports', 'PORTS'),
  column('Names', 'NAMES'),
];

export function psCommand(ctx: CliContext, name = 'ps'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS]')
    .description('List containers')
    .argument('[args...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .listOption('-f, --filter <filter>', 'Filter output based on conditions provided')
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or 'TEMPLATE'")
    .typedOption('-n, --last <int>', 'Show n last created containers (includes all states)', parseInteger, -1)
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only display container IDs');
  return cmd.action(async (args: string[], flags: PsFlags & { trunc: boolean }) => {
    cmd.requireArgs(args, 0, 0);
    const last = flags.latest === true ? 1 : flags.last;
    const all = flags.all === true || last > 0;
    const { containers } = await ctx.daemon().call('listContainers', { all, filters: flags.filter });
    const shown = last > 0 ? containers.slice(0, last) : containers;
    const now = ctx.io.now();
    const rows = shown.map((c) => containerRow(c, flags.trunc, now));
    if (flags.quiet === true && flags.format === undefined) {
      ctx.io.stdout.write(rows.map((row) => `${row.ID}\n`).join(''));
      return;
    }
    ctx.io.stdout.write(renderListing(rows, COLUMNS, flags.format, (row) => row));
  });
}
