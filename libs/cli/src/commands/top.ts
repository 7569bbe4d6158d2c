import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { renderTable } from '../format/table';

export function topCommand(ctx: CliContext, name = 'top'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('CONTAINER [ps OPTIONS]')
    .description('Display the running processes of a container')
    .argument('[args...]')
    .passThroughOptions()
    .allowUnknownOption();
  return cmd.action(async (args: string[]) => {
    cmd.requireArgs(args, 1);
    const [id = '', ...psArgs] = args;
    const top = await ctx.daemon().call('top', { id, psArgs });
    // docker top's tabwriter is wider than the list commands' (minwidth 20).
    ctx.io.stdout.write(renderTable([top.titles, ...top.processes.map((p) => p.fields)], 20));
  });
}
