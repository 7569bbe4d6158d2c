import { execFile } from 'node:child_process';
import { internal, invalidArgument, isBerthError } from '@berth/errors';
import type { types } from '@berth/proto';

// docker top's default: `ps -ef`, i.e. UID PID PPID C STIME TTY TIME CMD.
const DEFAULT_PS_ARGS = ['-ef'];

function runPs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(invalidArgument(`ps ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

// Keeps the rows of host `ps` output whose PID is one of the container's (moby's approach).
// The last column (CMD, or whatever comes last) may contain spaces and gets the rest of a line.
export function filterPsOutput(output: string, pids: readonly number[]): types.TopResponse {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidColumn = titles.indexOf('PID');
  if (pidColumn < 0) throw invalidArgument("couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const processes: types.ProcessRow[] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!wanted.has(Number(fields[pidColumn]))) continue;
    const head = fields.slice(0, titles.length - 1);
    const tail = fields.slice(titles.length - 1).join(' ');
    processes.push({ fields: [...head, tail] });
  }
  return { titles, processes };
}

export async function topProcesses(pids: readonly number[], psArgs: readonly string[]): Promise<types.TopResponse> {
  const args = psArgs.length > 0 ? [...psArgs] : DEFAULT_PS_ARGS;
  if (args.some((arg) => arg.includes('\0'))) throw invalidArgument('ps arguments must not contain NUL bytes');
  try {
    return filterPsOutput(await runPs(args), pids);
  } catch (err) {
    if (isBerthError(err)) throw err;
    throw internal(`top: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
