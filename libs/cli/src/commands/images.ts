import type { types } from '@berth/proto';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { timeAgo } from '../format/duration';
import { goTimeString } from '../format/go-time';
import { renderListing, type ListingColumn } from '../format/listing';
import { splitRepoTag } from '../format/repo-tag';
import { humanSize } from '../format/size';
import { shortId } from '../format/truncate';

interface ImagesFlags {
  all?: boolean;
  format?: string;
  quiet?: boolean;
  trunc: boolean;
  digests?: boolean;
}

type Row = Record<string, string>;

// One row per tag (an untagged image gets one <none> row), by docker's template field names.
export function imageRows(image: types.Image, truncate: boolean, now: number): Row[] {
  const tags = image.repoTags.length > 0 ? image.repoTags.map(splitRepoTag) : [{ repository: '<none>', tag: '<none>' }];
  const digest = image.repoDigests[0]?.split('@')[1] ?? '<none>';
  return tags.map(({ repository, tag }) => ({
    Containers: 'N/A',
    CreatedAt: goTimeString(image.created),
    CreatedSince: timeAgo(image.created, now),
    Digest: digest,
    ID: truncate ? shortId(image.id) : image.id,
    Repository: repository,
    SharedSize: 'N/A',
    Size: humanSize(image.size),
    Tag: tag || '<none>',
    UniqueSize: 'N/A',
    VirtualSize: humanSize(image.size),
  }));
}

const column = (field: string, header: string): ListingColumn<Row> => ({ field, header, value: (row) => row[field] ?? '' });

const COLUMNS = [column('Repository', 'REPOSITORY'), column('Tag', 'TAG'), column('ID', 'IMAGE ID'), column('CreatedSince', 'CREATED'), column('Size', 'SIZE')];
const DIGEST_COLUMNS = [COLUMNS[0], COLUMNS[1], column('Digest', 'DIGEST'), ...COLUMNS.slice(2)] as ListingColumn<Row>[];

function matches(row: Row, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  const { repository, tag } = splitRepoTag(filter);
  return row.Repository === repository && (tag === '' || row.Tag === tag);
}

export function imagesCommand(ctx: CliContext, name = 'images'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] [REPOSITORY[:TAG]]')
    .description('List images')
    .argument('[args...]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or 'TEMPLATE'")
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs');
  return cmd.action(async (args: string[], flags: ImagesFlags) => {
    cmd.requireArgs(args, 0, 1);
    const { images } = await ctx.daemon().call('listImages', { all: flags.all === true });
    const now = ctx.io.now();
    const sorted = [...images].sort((a, b) => b.created.localeCompare(a.created));
    const rows = sorted.flatMap((image) => imageRows(image, flags.trunc, now)).filter((row) => matches(row, args[0]));
    if (flags.quiet === true && flags.format === undefined) {
      const ids = [...new Set(rows.map((row) => row.ID))];
      ctx.io.stdout.write(ids.map((id) => `${id}\n`).join(''));
      return;
    }
    ctx.io.stdout.write(renderListing(rows, flags.digests === true ? DIGEST_COLUMNS : COLUMNS, flags.format, (row) => row));
  });
}
