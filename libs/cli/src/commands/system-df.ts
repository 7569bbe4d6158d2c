import type { daemon } from '@berth/proto';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { diskUsageRows } from '../format/disk-usage';
import { imageRows } from '../format/image-rows';
import { fieldColumn, renderListing } from '../format/listing';
import { humanSize } from '../format/size';
import { renderTable } from '../format/table';
import { containerRow } from './ps';

interface DfFlags {
  format?: string;
  verbose?: boolean;
}

const COLUMNS = [fieldColumn('Type', 'TYPE'), fieldColumn('TotalCount', 'TOTAL'), fieldColumn('Active', 'ACTIVE'), fieldColumn('Size', 'SIZE'), fieldColumn('Reclaimable', 'RECLAIMABLE')];

// docker system df -v: each image, container, volume and cache entry.
function verbose(usage: daemon.DiskUsageResponse, now: number): string {
  const images = usage.images.flatMap(({ image, sharedSize, containers }) =>
    image === undefined
      ? []
      : imageRows(image, { truncate: true, digests: false, now }).map((row) => [
          row.Repository ?? '',
          row.Tag ?? '',
          row.ID ?? '',
          row.CreatedSince ?? '',
          row.Size ?? '',
          humanSize(sharedSize, 4),
          humanSize(image.size - sharedSize, 4),
          String(containers),
        ]),
  );
  const containers = usage.containers.map((c) => {
    const row = containerRow(c, true, now);
    return [row.ID, row.Image, row.Command, row.LocalVolumes, humanSize(c.sizeRw), row.RunningFor, row.Status, row.Names].map((v) => v ?? '');
  });
  return [
    'Images space usage:\n\n',
    renderTable([['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], ...images]),
    '\nContainers space usage:\n\n',
    renderTable([['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], ...containers]),
    '\nLocal Volumes space usage:\n\n',
    renderTable([['VOLUME NAME', 'LINKS', 'SIZE']]),
    '\nBuild cache usage: 0B\n\n',
    renderTable([['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED']]),
  ].join('');
}

export function systemDfCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('df', ctx.io)
    .usage('[OPTIONS]')
    .description('Show Berth disk usage')
    .argument('[args...]')
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or 'TEMPLATE'")
    .option('-v, --verbose', 'Show detailed information on space usage');
  return cmd.action(async (args: string[], flags: DfFlags) => {
    cmd.requireArgs(args, 0, 0);
    const usage = await ctx.daemon().call('diskUsage', {});
    if (flags.verbose === true && flags.format === undefined) {
      ctx.io.stdout.write(verbose(usage, ctx.io.now()));
      return;
    }
    ctx.io.stdout.write(renderListing(diskUsageRows(usage), COLUMNS, flags.format, (row) => row));
  });
}
