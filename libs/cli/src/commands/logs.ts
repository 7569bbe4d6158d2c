import { invalidArgument } from '@berth/errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { parseLogTime } from '../parse/log-time';

interface LogsFlags {
  details?: boolean;
  follow?: boolean;
  since?: string;
  tail: string;
  timestamps?: boolean;
  until?: string;
}

function tailLines(value: string): number {
  if (value === 'all' || value === '') return -1;
  if (!/^-?\d+$/.test(value)) throw invalidArgument(`invalid value for "tail": ${value}`);
  return Number(value) < 0 ? -1 : Number(value);
}

export function logsCommand(ctx: CliContext, name = 'logs'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] CONTAINER')
    .description('Fetch the logs of a container')
    .argument('[args...]')
    .option('--details', 'Show extra details provided to logs')
    .option('-f, --follow', 'Follow log output')
    .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs (default "all")', 'all')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)');
  return cmd.action(async (args: string[], flags: LogsFlags) => {
    cmd.requireArgs(args, 1, 1);
    const now = ctx.io.now();
    const request = {
      id: args[0] ?? '',
      follow: flags.follow === true,
      tail: tailLines(flags.tail),
      since: parseLogTime(flags.since ?? '', now),
      until: parseLogTime(flags.until ?? '', now),
    };
    for await (const entry of ctx.daemon().logs(request)) {
      const target = entry.stream === 2 ? ctx.io.stderr : ctx.io.stdout;
      if (flags.timestamps === true) target.write(`${entry.time} `);
      if (!target.write(entry.data)) await new Promise((resolve) => target.once('drain', resolve));
    }
  });
}
