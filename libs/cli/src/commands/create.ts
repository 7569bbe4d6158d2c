import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { engineFailure } from '../daemon-errors';
import { addContainerOptions, containerRequest, type ContainerFlags } from './container-options';
import { createWithPull } from './create-with-pull';

// docker create: the container is made but not started; prints its full ID.
export function createCommand(ctx: CliContext, name = 'create'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .description('Create a new container')
    .argument('[args...]')
    .passThroughOptions();
  addContainerOptions(cmd).action(async (args: string[], flags: ContainerFlags) => {
    cmd.requireArgs(args, 1);
    try {
      const request = containerRequest(flags, args, { autoRemove: false, detach: false }, ctx.io.env);
      const created = await createWithPull(ctx, request, flags);
      for (const warning of created.warnings) ctx.io.stderr.write(`WARNING: ${warning}\n`);
      ctx.io.stdout.write(`${created.id}\n`);
    } catch (err) {
      throw engineFailure(err, cmd.commandPath());
    }
  });
  return cmd;
}
