import type { CliIO } from '../io';

// docker's PromptForConfirmation: the question on stdout, then one line from stdin; only "y"
// (any case, spaces around) says yes, and end of input says no.
export function confirm(io: CliIO, message: string): Promise<boolean> {
  io.stdout.write(`${message}\nAre you sure you want to continue? [y/N] `);
  return new Promise((resolve) => {
    let line = '';
    const finish = (): void => {
      io.stdin.off('data', onData);
      io.stdin.off('end', finish);
      io.stdin.pause();
      resolve(line.trim().toLowerCase() === 'y');
    };
    const onData = (chunk: Buffer | string): void => {
      const text = Buffer.from(chunk).toString('utf8');
      const newline = text.indexOf('\n');
      line += newline < 0 ? text : text.slice(0, newline);
      if (newline >= 0) finish();
    };
    io.stdin.on('data', onData);
    io.stdin.on('end', finish);
    io.stdin.resume();
  });
}
