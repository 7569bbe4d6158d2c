import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { invalidArgument } from '@berth/errors';
import type { daemon } from '@berth/proto';
import type { CliOutput } from '../io';

async function copy(chunks: AsyncIterable<daemon.ArchiveChunk>, out: Writable): Promise<void> {
  for await (const chunk of chunks) {
    if (!out.write(chunk.data)) await new Promise((resolve) => out.once('drain', resolve));
  }
}

/*
 * Where docker save and export put an archive: FILE (written beside it under a temporary name
 * and renamed when whole, so a failure never leaves half an archive), or stdout unless that is a
 * terminal.
 */
export async function writeArchive(chunks: AsyncIterable<daemon.ArchiveChunk>, output: string | undefined, stdout: CliOutput): Promise<void> {
  if (output === undefined || output === '') {
    if (stdout.isTTY === true) throw invalidArgument('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    await copy(chunks, stdout);
    return;
  }
  const dir = dirname(output);
  const dirStats = await stat(dir).catch(() => undefined);
  if (!dirStats?.isDirectory()) throw invalidArgument(`invalid output path: directory ${JSON.stringify(dir)} does not exist`);
  const temp = join(dir, `.${basename(output)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
  const failed = new Promise<never>((_resolve, reject) => file.once('error', reject));
  try {
    await Promise.race([copy(chunks, file), failed]);
    await Promise.race([new Promise<void>((resolve) => file.end(() => resolve())), failed]);
    await rename(temp, output);
  } catch (err) {
    file.destroy();
    await rm(temp, { force: true });
    throw err;
  }
}
