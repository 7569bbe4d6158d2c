import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { filterArg } from '../format/filter-arg';
import { humanSize } from '../format/size';
import { confirm } from './confirm';

interface PruneFlags {
  all?: boolean;
  force?: boolean;
  filter: string[];
}

const DANGLING_WARNING = 'WARNING! This will remove all dangling images.';
const ALL_WARNING = 'WARNING! This will remove all images without at least one container associated to them.';

export function imagePruneCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('prune', ctx.io)
    .usage('[OPTIONS]')
    .description('Remove unused images')
    .argument('[args...]')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .typedOption<string[]>('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', filterArg, [])
    .option('-f, --force', 'Do not prompt for confirmation');
  return cmd.action(async (args: string[], flags: PruneFlags) => {
    cmd.requireArgs(args, 0, 0);
    const all = flags.all === true;
    // docker says no more than the question when the answer is no, and exits 0.
    if (flags.force !== true && !(await confirm(ctx.io, all ? ALL_WARNING : DANGLING_WARNING))) return;
    const report = await ctx.daemon().call('pruneImages', { all, filters: flags.filter });
    let output = '';
    if (report.images.length > 0) {
      const lines = report.images.flatMap((image) => [...image.untagged.map((ref) => `untagged: ${ref}`), ...image.deleted.map((id) => `deleted: ${id}`)]);
      output = `Deleted Images:\n${lines.map((line) => `${line}\n`).join('')}\n`;
    }
    ctx.io.stdout.write(`${output}Total reclaimed space: ${humanSize(report.spaceReclaimed, 4)}\n`);
  });
}
