import { Option } from 'commander';
import { errorMessageOf } from '@berth/errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { historyRows, type HistoryRow } from '../format/history-rows';
import { parseBool } from '../parse/bool';
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

// pflag's bool flag with a short name: `-H`, `--human`, or either `=VALUE` (`-H=false`), which
// commander cannot read on its own.
function humanFlag(cmd: DockerCommand, argv: string[]): string[] {
  return argv.map((arg) => {
    const match = /^(-H|--human)=(.*)$/s.exec(arg);
    if (match === null) return arg;
    try {
      return parseBool(match[2] ?? '') ? '--human' : '--no-human';
    } catch (err) {
      throw cmd.flagError(`invalid argument ${JSON.stringify(match[2])} for "-H, --human" flag: ${errorMessageOf(err)}`);
    }
  });
}

export function historyCommand(ctx: CliContext, name = 'history'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] IMAGE')
    .description('Show the history of an image')
    .argument('[args...]')
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or 'TEMPLATE'")
    .addOption(new Option('-H, --human', 'Print sizes and dates in human readable format (default true)').default(true))
    .addOption(new Option('--no-human').hideHelp())
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs');
  const parseOptions = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv: string[]) => parseOptions(humanFlag(cmd, argv));
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
