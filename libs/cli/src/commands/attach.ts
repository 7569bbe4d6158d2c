import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../parse/detach-keys';
import { attachContainer } from './attach-container';

interface AttachFlags {
  // commander's --no-stdin: false when given.
  stdin: boolean;
  detachKeys?: string;
  sigProxy: boolean;
}

export function attachCommand(ctx: CliContext, name = 'attach'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] CONTAINER')
    .description('Attach local standard input, output, and error streams to a running container')
    .argument('[args...]')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--no-stdin', 'Do not attach STDIN')
    .boolOption('--sig-proxy', 'Proxy all received signals to the process', true);
  return cmd.action(async (args: string[], flags: AttachFlags) => {
    cmd.requireArgs(args, 1, 1);
    const container = await ctx.daemon().call('inspectContainer', { id: args[0] ?? '' });
    if (container.state?.running !== true) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
    if (container.state.paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
    const config = container.config;
    await attachContainer(ctx, {
      id: container.id,
      stdin: flags.stdin && config?.openStdin === true,
      tty: config?.tty === true,
      detachKeys: parseDetachKeys(flags.detachKeys ?? DEFAULT_DETACH_KEYS),
      sigProxy: flags.sigProxy,
    });
  });
}
