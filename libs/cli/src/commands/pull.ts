import { familiarString, formatReference, parseReference, withDefaultTag } from '@berth/reference';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import type { CliOutput } from '../io';
import { PullRenderer } from '../format/pull-progress';
import { authFor } from './registry-auth';

interface PullFlags {
  quiet?: boolean;
  platform?: string;
}

export interface PullDisplay {
  // Where the progress goes: stdout for `pull`, stderr for `run` and `create`.
  out: CliOutput;
  quiet: boolean;
  // `pull` ends with the full reference on a line of its own; `run` does not.
  printReference: boolean;
}

/*
 * Pulls `input` through the daemon and draws it as docker does:
 *   latest: Pulling from library/busybox
 *   <layer>: Pulling fs layer ... Pull complete
 *   Digest: sha256:...
 *   Status: Downloaded newer image for busybox:latest
 *   docker.io/library/busybox:latest
 */
export async function pullImage(ctx: CliContext, input: string, platform: string, display: PullDisplay): Promise<void> {
  const ref = withDefaultTag(parseReference(input));
  const familiar = familiarString(ref);
  const full = formatReference(ref);
  const out = display.out;
  if (!display.quiet) out.write(`${ref.digest ?? ref.tag}: Pulling from ${ref.path}\n`);
  const renderer = new PullRenderer(out, display.quiet ? false : out.isTTY === true);
  let digest = '';
  let upToDate = false;
  for await (const message of ctx.daemon().pullImage({ reference: input, platform, auth: await authFor(ctx, input) })) {
    if (message.event?.$case === 'done') {
      digest = message.event.value.digest;
      upToDate = message.event.value.upToDate;
    } else if (!display.quiet) {
      renderer.event(message);
    }
  }
  if (display.quiet) {
    if (display.printReference) out.write(`${full}\n`);
    return;
  }
  renderer.finish(upToDate);
  out.write(`Digest: ${digest}\n`);
  out.write(upToDate ? `Status: Image is up to date for ${familiar}\n` : `Status: Downloaded newer image for ${familiar}\n`);
  if (display.printReference) out.write(`${full}\n`);
}

// docker pull [-q] [--platform P] NAME[:TAG|@DIGEST]
export function pullCommand(ctx: CliContext, name = 'pull'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] NAME[:TAG|@DIGEST]')
    .description('Download an image from a registry')
    .argument('[args...]')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output');
  return cmd.action(async (args: string[], flags: PullFlags) => {
    cmd.requireArgs(args, 1, 1);
    await pullImage(ctx, args[0]!, flags.platform ?? '', { out: ctx.io.stdout, quiet: flags.quiet === true, printReference: true });
  });
}
