import { errorMessageOf } from '@berth/errors';
import { parseReference } from '@berth/reference';
import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { forEachRef } from './each-ref';

export function rmiCommand(ctx: CliContext, name = 'rmi'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .description('Remove one or more images')
    .argument('[images...]')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents');
  return cmd.action(async (refs: string[], flags: { force?: boolean }) => {
    cmd.requireArgs(refs, 1);
    // Same reporting as containers: each result or error in turn, exit 1 if any failed.
    await forEachRef(ctx, refs, async (reference) => {
      const removed = await ctx.daemon().call('removeImage', { reference, force: flags.force === true });
      const lines = [...removed.untagged.map((r) => `Untagged: ${r}`), ...removed.deleted.map((d) => `Deleted: ${d}`)];
      return lines.length > 0 ? lines.join('\n') : undefined;
    });
  });
}

export function tagCommand(ctx: CliContext, name = 'tag'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]')
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .argument('[args...]');
  return cmd.action(async (args: string[]) => {
    cmd.requireArgs(args, 2, 2);
    const target = args[1] ?? '';
    // docker checks the new name before asking the daemon anything.
    let parsed;
    try {
      parsed = parseReference(target);
    } catch (err) {
      throw new StatusError(1, `Error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${errorMessageOf(err)}`);
    }
    if (parsed.digest !== undefined) throw new StatusError(1, 'refusing to create a tag with a digest reference');
    await ctx.daemon().call('tagImage', { source: args[0] ?? '', target });
  });
}
