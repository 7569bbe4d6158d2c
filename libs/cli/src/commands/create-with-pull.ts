import { ErrorCode, isBerthError } from '@berth/errors';
import type { daemon } from '@berth/proto';
import { familiarString, parseReference, withDefaultTag } from '@berth/reference';
import type { CliContext } from '../context';
import type { ContainerFlags } from './container-options';
import { pullImage } from './pull';

const isMissingImage = (err: unknown): boolean => isBerthError(err, ErrorCode.NotFound) && err.message.startsWith('No such image');

// An image ID names no registry: docker never tries to pull one.
const isImageId = (image: string): boolean => /^(sha256:)?[0-9a-f]{64}$/.test(image);

/*
 * docker's createContainer for run and create: with --pull always the image is pulled first;
 * with missing (the default) a create that finds no image prints "Unable to find image 'REF'
 * locally", pulls (progress on stderr, stdout stays the container's) and creates again; with
 * never the daemon's "No such image" is the answer. `create` is the attempt: a create call, or
 * a whole attached run whose create comes first.
 */
export async function withImagePull<T>(ctx: CliContext, image: string, flags: ContainerFlags, create: () => Promise<T>): Promise<T> {
  const policy = flags.pull || 'missing';
  const quiet = flags.quiet === true;
  const display = { out: ctx.io.stderr, quiet, printReference: false };
  if (policy === 'always') await pullImage(ctx, image, flags.platform ?? '', display);
  try {
    return await create();
  } catch (err) {
    if (policy !== 'missing' || !isMissingImage(err) || isImageId(image)) throw err;
  }
  if (!quiet) ctx.io.stderr.write(`Unable to find image '${familiarString(withDefaultTag(parseReference(image)))}' locally\n`);
  await pullImage(ctx, image, flags.platform ?? '', display);
  return create();
}

export function createWithPull(ctx: CliContext, request: daemon.CreateContainerRequest, flags: ContainerFlags): Promise<daemon.CreateContainerResponse> {
  return withImagePull(ctx, request.config?.image ?? '', flags, () => ctx.daemon().call('createContainer', request));
}
