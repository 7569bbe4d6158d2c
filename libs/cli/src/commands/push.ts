import { ErrorCode, isBerthError } from '@berth/errors';
import { formatReference, parseReference, repositoryName, withDefaultTag, type Reference } from '@berth/reference';
import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import { ConnectionError } from '../connection-error';
import type { CliContext } from '../context';
import { PushRenderer } from '../format/push-progress';
import { authFor } from './registry-auth';

interface PushFlags {
  quiet?: boolean;
  allTags?: boolean;
}

/*
 * docker push [-q] [-a] NAME[:TAG]:
 *   The push refers to repository [127.0.0.1:5000/demo/busybox]
 *   <layer>: Preparing ... Pushed | Layer already exists | Mounted from library/busybox
 *   latest: digest: sha256:... size: 527
 */
export function pushCommand(ctx: CliContext, name = 'push'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] NAME[:TAG]')
    .description('Upload an image to a registry')
    .argument('[args...]')
    .option('-a, --all-tags', 'Push all tags of an image to the repository')
    .option('-q, --quiet', 'Suppress verbose output');
  return cmd.action(async (args: string[], flags: PushFlags) => {
    cmd.requireArgs(args, 1, 1);
    const input = args[0]!;
    const ref = parseReference(input);
    if (flags.allTags === true && (ref.tag !== undefined || ref.digest !== undefined)) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
    const quiet = flags.quiet === true;
    const out = ctx.io.stdout;
    if (!quiet) out.write(`The push refers to repository [${repositoryName(ref)}]\n`);
    const tags = flags.allTags === true ? await localTags(ctx, ref) : [withDefaultTag(ref)];
    if (tags.length === 0) throw new StatusError(1, `An image does not exist locally with the tag: ${repositoryName(ref)}`);
    const auth = await authFor(ctx, input);
    for (const tag of tags) {
      const renderer = new PushRenderer(out, !quiet && out.isTTY === true);
      try {
        for await (const message of ctx.daemon().pushImage({ reference: formatReference(tag), auth })) {
          const event = message.event;
          if (event?.$case === 'done') {
            if (!quiet) out.write(`${tag.tag}: digest: ${event.value.digest} size: ${event.value.size}\n`);
          } else if (!quiet) {
            renderer.event(message);
          }
        }
      } catch (err) {
        throw streamedError(err);
      }
    }
    if (quiet) out.write(`${formatReference(ref)}\n`);
  });
}

// The tags of the repository `ref` names that this host has, in order.
async function localTags(ctx: CliContext, ref: Reference): Promise<Reference[]> {
  const { images } = await ctx.daemon().call('listImages', { all: false, filters: [] });
  const repo = repositoryName(ref);
  const tags: Reference[] = [];
  for (const image of images) {
    for (const tag of image.repoTags) {
      const parsed = parseReference(tag);
      if (repositoryName(parsed) === repo) tags.push(withDefaultTag(parsed));
    }
  }
  return tags.sort((a, b) => (a.tag ?? '').localeCompare(b.tag ?? ''));
}

// docker reports what fails once a push has begun inside its progress stream, as plain text.
function streamedError(err: unknown): unknown {
  if (err instanceof ConnectionError || !isBerthError(err) || err.code === ErrorCode.InvalidArgument) return err;
  return new StatusError(1, err.message);
}
