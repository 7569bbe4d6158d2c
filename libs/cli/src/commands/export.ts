import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { writeArchive } from './archive-output';

// docker export [-o FILE] CONTAINER
export function exportCommand(ctx: CliContext, name = 'export'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] CONTAINER')
    .description("Export a container's filesystem as a tar archive")
    .argument('[args...]')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT');
  return cmd.action(async (args: string[], flags: { output?: string }) => {
    cmd.requireArgs(args, 1, 1);
    await writeArchive(ctx.daemon().exportContainer({ id: args[0] as string }), flags.output, ctx.io.stdout);
  });
}
