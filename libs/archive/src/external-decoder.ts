import { spawn } from 'node:child_process';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { failedPrecondition, invalidArgument } from '@berth/errors';

export type ExternalFormat = 'xz' | 'bzip2';

// Debian's own decoders (xz-utils, bzip2), as docker's DecompressStream uses xz: no maintained npm
// decoder of either is fast, and these only turn bytes into bytes that Berth's tar code then reads.
const DECODERS: Record<ExternalFormat, { command: string; package: string }> = {
  xz: { command: 'xz', package: 'xz-utils' },
  bzip2: { command: 'bzip2', package: 'bzip2' },
};

const STDERR_LIMIT = 4096;

/*
 * `input` decoded by the format's command (`-dc`). The output ends only once the decoder exited
 * cleanly; a bad stream fails it with the decoder's message instead, and an output nobody reads to
 * its end kills the decoder, so no process outlives the stream either way.
 */
export function externallyDecoded(input: Readable, format: ExternalFormat): Readable {
  const { command, package: pkg } = DECODERS[format];
  const child = spawn(command, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const output = new PassThrough();
  child.stdout.pipe(output, { end: false });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
  });
  // A decoder that stops reading (a bad stream) closes its stdin: the input's error is not ours.
  pipeline(input, child.stdin, () => undefined);
  // A decoder this machine lacks or cannot start is its set-up's fault, not the data's.
  child.on('error', (err: NodeJS.ErrnoException) => {
    const reason = err.code === 'ENOENT' ? `${format} data needs the ${command} command (Debian's ${pkg})` : `${command}: ${err.message}`;
    output.destroy(failedPrecondition(reason));
  });
  child.on('close', (code, signal) => {
    if (code === 0) output.end();
    else output.destroy(invalidArgument(`invalid ${format} data: ${stderr.trim() || `${command} ended with ${signal ?? `exit code ${code}`}`}`));
  });
  output.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    input.destroy();
  });
  return output;
}
