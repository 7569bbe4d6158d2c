import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { invalidArgument } from '@berth/errors';
import type { types } from '@berth/proto';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';

interface ImportFlags {
  change: string[];
  message?: string;
}

// Sends the header, then the tarball in chunks as the stream drains, and returns the image.
async function streamImport(ctx: CliContext, source: Readable, header: { reference: string; message: string; changes: string[] }): Promise<types.Image> {
  return new Promise<types.Image>((resolve, reject) => {
    let failed = false;
    const call = ctx.daemon().importImage((err, image) => {
      source.destroy();
      if (err !== null || image === undefined) reject(err ?? new Error('import returned no image'));
      else resolve(image);
    });
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      call.cancel();
      reject(err);
    };
    call.write({ part: { $case: 'header', value: header } });
    source.on('data', (chunk: Buffer) => {
      if (!call.write({ part: { $case: 'data', value: chunk } })) {
        source.pause();
        call.once('drain', () => source.resume());
      }
    });
    source.once('end', () => call.end());
    source.once('error', (err: NodeJS.ErrnoException) =>
      fail(invalidArgument(err.code === 'ENOENT' ? `open ${err.path ?? ''}: no such file or directory` : err.message)),
    );
  });
}

export function importCommand(ctx: CliContext, name = 'import'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] file|- [REPOSITORY[:TAG]]')
    .description('Import the contents from a tarball to create a filesystem image')
    .argument('[args...]')
    .listOption('-c, --change <list>', 'Apply Dockerfile instruction to the created image')
    .option('-m, --message <string>', 'Set commit message for imported image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable');
  return cmd.action(async (args: string[], flags: ImportFlags) => {
    cmd.requireArgs(args, 1, 2);
    const [file = '', reference = ''] = args;
    if (/^https?:\/\//.test(file)) throw invalidArgument('importing from a URL is not supported: download the file and import it');
    const source = file === '-' ? ctx.io.stdin : createReadStream(file, { highWaterMark: 256 * 1024 });
    const image = await streamImport(ctx, source, { reference, message: flags.message ?? '', changes: flags.change });
    ctx.io.stdout.write(`${image.id}\n`);
  });
}
