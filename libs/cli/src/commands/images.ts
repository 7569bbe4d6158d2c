import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { filterArg } from '../format/filter-arg';
import { imageRows, type ImageRow } from '../format/image-rows';
import { fieldColumn, renderListing, type ListingColumn } from '../format/listing';

interface ImagesFlags {
  all?: boolean;
  format?: string;
  quiet?: boolean;
  trunc: boolean;
  digests?: boolean;
  filter: string[];
}

const COLUMNS = [fieldColumn('Repository', 'REPOSITORY'), fieldColumn('Tag', 'TAG'), fieldColumn('ID', 'IMAGE ID'), fieldColumn('CreatedSince', 'CREATED'), fieldColumn('Size', 'SIZE')];
const DIGEST_COLUMNS = [COLUMNS[0], COLUMNS[1], fieldColumn('Digest', 'DIGEST'), ...COLUMNS.slice(2)] as ListingColumn<ImageRow>[];

export function imagesCommand(ctx: CliContext, name = 'images'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] [REPOSITORY[:TAG]]')
    .description('List images')
    .argument('[args...]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .typedOption<string[]>('-f, --filter <filter>', 'Filter output based on conditions provided', filterArg, [])
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or 'TEMPLATE'")
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs');
  return cmd.action(async (args: string[], flags: ImagesFlags) => {
    cmd.requireArgs(args, 0, 1);
    // docker turns the REPOSITORY[:TAG] argument into a reference filter.
    const filters = args[0] === undefined ? flags.filter : [...flags.filter, `reference=${args[0]}`];
    const { images } = await ctx.daemon().call('listImages', { all: flags.all === true, filters });
    const options = { truncate: flags.trunc, digests: flags.digests === true || /\.Digest\b/.test(flags.format ?? ''), now: ctx.io.now() };
    const rows = images.flatMap((image) => imageRows(image, options));
    // docker 28 prints an ID per row, so an image with three tags shows up three times.
    if (flags.quiet === true && flags.format === undefined) {
      ctx.io.stdout.write(rows.map((row) => `${row.ID}\n`).join(''));
      return;
    }
    ctx.io.stdout.write(renderListing(rows, flags.digests === true ? DIGEST_COLUMNS : COLUMNS, flags.format, (row) => row));
  });
}
