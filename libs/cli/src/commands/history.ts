import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { historyRows, type HistoryRow } from '../format/history-rows';
import { fieldColumn, renderListing, type ListingColumn } from '../format/listing';

interface HistoryFlags {
  human: boolean;
  trunc: boolean;
  quiet?: boolean;
  format?: string;
}

function columns(human: boolean): ListingColumn<HistoryRow>[] {
  return [
    fieldColumn('ID', 'IMAGE'),
    human ? fieldColumn('CreatedSince', 'CREATED') : fieldColumn('CreatedAt', 'CREATED AT'),
    fieldColumn('CreatedBy', 'CREATED BY'),
    fieldColumn('Size', 'SIZE'),
    fieldColumn('Comment', 'COMMENT'),
  ];
}

// pflag's `-H=false`, which commander cannot read on a short flag.
const shortHuman = (argv: string[]): string[] => argv.map((arg) => (arg === '-H' ? '--human' : arg.startsWith('-H=') ? `--human=${arg.slice(3)}` : arg));

export function historyCommand(ctx: CliContext, name = 'history'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] IMAGE')
    .description('Show the history of an image')
    .argument('[args...]')
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or 'TEMPLATE'")
    .boolOption('--human', 'Print sizes and dates in human readable format (-H)', true)
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs');
  const parseOptions = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv: string[]) => parseOptions(shortHuman(argv));
  return cmd.action(async (args: string[], flags: HistoryFlags) => {
    cmd.requireArgs(args, 1, 1);
    const image = await ctx.daemon().call('inspectImage', { reference: args[0] ?? '' });
    const rows = historyRows(image, { human: flags.human, truncate: flags.trunc, now: ctx.io.now() });
    if (flags.quiet === true && flags.format === undefined) {
      ctx.io.stdout.write(rows.map((row) => `${row.ID}\n`).join(''));
      return;
    }
    ctx.io.stdout.write(renderListing(rows, columns(flags.human), flags.format, (row) => row));
  });
}
