import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { writeArchive } from './archive-output';

// docker save [-o FILE] IMAGE [IMAGE...]
export function saveCommand(ctx: CliContext, name = 'save'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .argument('[args...]')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT');
  return cmd.action(async (args: string[], flags: { output?: string }) => {
    cmd.requireArgs(args, 1);
    await writeArchive(ctx.daemon().saveImages({ references: args }), flags.output, ctx.io.stdout);
  });
}
