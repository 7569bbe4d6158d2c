import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../parse/detach-keys';
import { attachContainer } from './attach-container';
import { forEachRef } from './each-ref';

interface StartFlags {
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
}

export function startCommand(ctx: CliContext, name = 'start'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .description('Start one or more stopped containers')
    .argument('[containers...]')
    .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('-i, --interactive', "Attach container's STDIN");
  return cmd.action(async (refs: string[], flags: StartFlags) => {
    cmd.requireArgs(refs, 1);
    if (flags.attach !== true && flags.interactive !== true) {
      await forEachRef(ctx, refs, async (id) => {
        await ctx.daemon().call('startContainer', { id });
        return id;
      });
      return;
    }
    if (refs.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
    const container = await ctx.daemon().call('inspectContainer', { id: refs[0] ?? '' });
    const config = container.config;
    await attachContainer(ctx, {
      id: container.id,
      stdin: flags.interactive === true && config?.openStdin === true,
      tty: config?.tty === true,
      detachKeys: parseDetachKeys(flags.detachKeys ?? DEFAULT_DETACH_KEYS),
      sigProxy: true,
      start: true,
    });
  });
}
