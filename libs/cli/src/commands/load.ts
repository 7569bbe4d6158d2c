import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { invalidArgument } from '@berth/errors';
import type { daemon } from '@berth/proto';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';

interface LoadFlags {
  input?: string;
  quiet?: boolean;
}

// Streams the archive to the daemon as the call drains; resolves with what it loaded.
function streamLoad(ctx: CliContext, source: Readable): Promise<daemon.LoadImagesResponse> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const call = ctx.daemon().loadImages((err, response) => {
      source.destroy();
      if (failed) return;
      if (err !== null || response === undefined) reject(err ?? new Error('load returned nothing'));
      else resolve(response);
    });
    source.on('data', (chunk: Buffer) => {
      if (!call.write({ data: chunk })) {
        source.pause();
        call.once('drain', () => source.resume());
      }
    });
    source.once('end', () => call.end());
    source.once('error', (err: NodeJS.ErrnoException) => {
      failed = true;
      call.cancel();
      reject(invalidArgument(err.code === 'ENOENT' ? `open ${err.path ?? ''}: no such file or directory` : err.message));
    });
  });
}

// docker load [-i FILE] [-q]
export function loadCommand(ctx: CliContext, name = 'load'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS]')
    .description('Load an image from a tar archive or STDIN')
    .argument('[args...]')
    .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output');
  return cmd.action(async (args: string[], flags: LoadFlags) => {
    cmd.requireArgs(args, 0, 0);
    const file = flags.input ?? '';
    if (file === '' && ctx.io.stdin.isTTY === true) throw invalidArgument('requested load from stdin, but stdin is empty');
    const source = file === '' ? ctx.io.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
    const { images } = await streamLoad(ctx, source);
    for (const image of images) {
      if (image.repoTags.length === 0) ctx.io.stdout.write(`Loaded image ID: ${image.id}\n`);
      for (const tag of image.repoTags) {
        const previous = image.replaced[tag];
        if (previous !== undefined) ctx.io.stdout.write(`The image ${tag} already exists, renaming the old one with ID ${previous} to empty string\n`);
        ctx.io.stdout.write(`Loaded image: ${tag}\n`);
      }
    }
  });
}
