import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { parseInteger } from '../parse/units';
import { forEachRef } from './each-ref';

interface StopFlags {
  signal?: string;
  timeout?: number;
}

// stop and restart take the same flags and differ only in the daemon call.
function stopLikeCommand(ctx: CliContext, name: string, description: string, method: 'stopContainer' | 'restartContainer'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .description(description)
    .argument('[containers...]')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .typedOption('-t, --timeout <int>', 'Seconds to wait before killing the container', parseInteger);
  return cmd.action(async (refs: string[], flags: StopFlags) => {
    cmd.requireArgs(refs, 1);
    await forEachRef(ctx, refs, async (id) => {
      await ctx.daemon().call(method, { id, timeout: flags.timeout ?? -1, signal: flags.signal ?? '' }, 0);
      return id;
    });
  });
}

export function stopCommand(ctx: CliContext, name = 'stop'): DockerCommand {
  return stopLikeCommand(ctx, name, 'Stop one or more running containers', 'stopContainer');
}

export function restartCommand(ctx: CliContext, name = 'restart'): DockerCommand {
  return stopLikeCommand(ctx, name, 'Restart one or more containers', 'restartContainer');
}

export function killCommand(ctx: CliContext, name = 'kill'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .description('Kill one or more running containers')
    .argument('[containers...]')
    .option('-s, --signal <string>', 'Signal to send to the container');
  return cmd.action(async (refs: string[], flags: { signal?: string }) => {
    cmd.requireArgs(refs, 1);
    await forEachRef(ctx, refs, async (id) => {
      await ctx.daemon().call('killContainer', { id, signal: flags.signal ?? '' });
      return id;
    });
  });
}

export function rmCommand(ctx: CliContext, name = 'rm'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .description('Remove one or more containers')
    .argument('[containers...]')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container');
  return cmd.action(async (refs: string[], flags: { force?: boolean }) => {
    cmd.requireArgs(refs, 1);
    await forEachRef(ctx, refs, async (id) => {
      await ctx.daemon().call('removeContainer', { id, force: flags.force === true }, 0);
      return id;
    });
  });
}

export function waitCommand(ctx: CliContext, name = 'wait'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('CONTAINER [CONTAINER...]')
    .description('Block until one or more containers stop, then print their exit codes')
    .argument('[containers...]');
  return cmd.action(async (refs: string[]) => {
    cmd.requireArgs(refs, 1);
    await forEachRef(ctx, refs, async (id) => String((await ctx.daemon().call('waitContainer', { id }, 0)).exitCode));
  });
}

export function pauseCommand(ctx: CliContext, name = 'pause'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('CONTAINER [CONTAINER...]')
    .description('Pause all processes within one or more containers')
    .argument('[containers...]');
  return cmd.action(async (refs: string[]) => {
    cmd.requireArgs(refs, 1);
    await forEachRef(ctx, refs, async (id) => {
      await ctx.daemon().call('pauseContainer', { id });
      return id;
    });
  });
}

export function unpauseCommand(ctx: CliContext, name = 'unpause'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('CONTAINER [CONTAINER...]')
    .description('Unpause all processes within one or more containers')
    .argument('[containers...]');
  return cmd.action(async (refs: string[]) => {
    cmd.requireArgs(refs, 1);
    await forEachRef(ctx, refs, async (id) => {
      await ctx.daemon().call('unpauseContainer', { id });
      return id;
    });
  });
}

export function renameCommand(ctx: CliContext, name = 'rename'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io).usage('CONTAINER NEW_NAME').description('Rename a container').argument('[args...]');
  return cmd.action(async (args: string[]) => {
    cmd.requireArgs(args, 2, 2);
    const [id = '', newName = ''] = args;
    await ctx.daemon().call('renameContainer', { id, name: newName });
  });
}
