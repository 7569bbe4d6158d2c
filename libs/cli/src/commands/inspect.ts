import { BerthError, ErrorCode, invalidArgument } from '@berth/errors';
import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { ConnectionError } from '../connection-error';
import { describeError } from '../daemon-errors';
import { containerJson, imageJson } from '../format/inspect-json';
import { renderInspect } from '../format/inspect-output';

type Kind = 'container' | 'image';

const isNotFound = (err: unknown): boolean => err instanceof BerthError && err.code === ErrorCode.NotFound;

// Nothing of any asked-for kind has this name: docker's "Error: No such object: x".
class NoSuchObject extends Error {}

// Looks a name up as a container, then as an image, as docker inspect does without --type.
async function inspectObject(ctx: CliContext, ref: string, kinds: readonly Kind[]): Promise<Record<string, unknown>> {
  for (const kind of kinds) {
    try {
      if (kind === 'container') return containerJson(await ctx.daemon().call('inspectContainer', { id: ref }));
      return imageJson(await ctx.daemon().call('inspectImage', { reference: ref }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  const what = kinds.length === 1 ? (kinds[0] === 'container' ? 'container' : 'image') : 'object';
  throw new NoSuchObject(`Error: No such ${what}: ${ref}`);
}

export async function inspectAll(ctx: CliContext, refs: readonly string[], kinds: readonly Kind[], format: string | undefined): Promise<void> {
  const found: Record<string, unknown>[] = [];
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      found.push(await inspectObject(ctx, ref, kinds));
    } catch (err) {
      if (err instanceof ConnectionError) throw new StatusError(1, err.message);
      errors.push(err instanceof NoSuchObject ? err.message : describeError(err));
    }
  }
  ctx.io.stdout.write(renderInspect(found, format));
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
}

export function inspectCommand(ctx: CliContext, name = 'inspect'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] NAME|ID [NAME|ID...]')
    .description('Return low-level information on Berth objects')
    .argument('[refs...]')
    .option('-f, --format <string>', "Format output using a custom template: 'json' or a Go template")
    .option('-s, --size', 'Display total file sizes if the type is container')
    .option('--type <string>', 'Only inspect objects of the given type');
  return cmd.action(async (refs: string[], flags: { format?: string; type?: string }) => {
    cmd.requireArgs(refs, 1);
    let kinds: Kind[];
    if (flags.type === undefined || flags.type === '') kinds = ['container', 'image'];
    else if (flags.type === 'container' || flags.type === 'image') kinds = [flags.type];
    else throw invalidArgument(`"${flags.type}" is not a valid value for --type`);
    await inspectAll(ctx, refs, kinds, flags.format);
  });
}

// `berth container inspect`: containers only.
export function containerInspectCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('inspect', ctx.io)
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .description('Display detailed information on one or more containers')
    .argument('[refs...]')
    .option('-f, --format <string>', "Format output using a custom template: 'json' or a Go template")
    .option('-s, --size', 'Display total file sizes');
  return cmd.action(async (refs: string[], flags: { format?: string }) => {
    cmd.requireArgs(refs, 1);
    await inspectAll(ctx, refs, ['container'], flags.format);
  });
}

export function imageInspectCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('inspect', ctx.io)
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .description('Display detailed information on one or more images')
    .argument('[refs...]')
    .option('-f, --format <string>', "Format output using a custom template: 'json' or a Go template");
  return cmd.action(async (refs: string[], flags: { format?: string }) => {
    cmd.requireArgs(refs, 1);
    await inspectAll(ctx, refs, ['image'], flags.format);
  });
}
