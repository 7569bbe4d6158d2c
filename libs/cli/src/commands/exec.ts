import { BerthError } from '@berth/errors';
import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { ConnectionError } from '../connection-error';
import { describeError, engineExitCode } from '../daemon-errors';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../parse/detach-keys';
import { readEnvFile, resolveEnv } from '../parse/env';
import { plainFrame, runSession } from '../stdio/session';

interface ExecFlags {
  detach?: boolean;
  detachKeys?: string;
  env: string[];
  envFile: string[];
  interactive?: boolean;
  privileged?: boolean;
  tty?: boolean;
  user?: string;
  workdir?: string;
}

export function execCommand(ctx: CliContext, name = 'exec'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] CONTAINER COMMAND [ARG...]')
    .description('Execute a command in a running container')
    .argument('[args...]')
    .passThroughOptions()
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .listOption('-e, --env <list>', 'Set environment variables')
    .listOption('--env-file <list>', 'Read in a file of environment variables')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--privileged', 'Give extended privileges to the command')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <string>', 'Working directory inside the container');
  return cmd.action(async (args: string[], flags: ExecFlags) => {
    cmd.requireArgs(args, 2);
    try {
      await execInContainer(ctx, args, flags);
    } catch (err) {
      if (err instanceof StatusError) throw err;
      if (err instanceof ConnectionError) throw new StatusError(1, err.message);
      // docker exec: 126/127 when the command cannot run, 1 for everything else.
      const code = err instanceof BerthError ? engineExitCode(err) : 1;
      throw new StatusError(code === 125 ? 1 : code, describeError(err));
    }
  });
}

async function execInContainer(ctx: CliContext, args: string[], flags: ExecFlags): Promise<void> {
  const [id = '', ...command] = args;
  const daemon = ctx.daemon();
  const env = [...flags.envFile.flatMap((file) => readEnvFile(file, ctx.io.env)), ...flags.env.map((e) => resolveEnv(e, ctx.io.env))];
  const detach = flags.detach === true;
  const tty = flags.tty === true && !detach;
  const stdin = flags.interactive === true && !detach;
  const { rows, columns } = ctx.io.stdout;
  const size = tty && rows !== undefined && columns !== undefined ? { rows, cols: columns } : undefined;
  let detachedOnReady = false;
  const end = await runSession({
    stream: daemon.exec(),
    open: {
      frame: {
        $case: 'exec',
        value: { id, args: command, env, cwd: flags.workdir ?? '', user: flags.user ?? '', tty, stdin, privileged: flags.privileged === true, size },
      },
    },
    wrap: plainFrame,
    io: ctx.io,
    stdin,
    tty,
    detachKeys: parseDetachKeys(flags.detachKeys ?? DEFAULT_DETACH_KEYS),
    // -d: the command is running once the stream is live; leave it to run.
    onReady: detach
      ? async () => {
          detachedOnReady = true;
          throw new StatusError(0);
        }
      : undefined,
    translate: (err) => daemon.translate(err),
  }).catch((err: unknown) => {
    if (detachedOnReady && err instanceof StatusError && err.status === 0) return { kind: 'detached' as const };
    throw err;
  });
  if (end.kind === 'exit' && end.exitCode !== 0) throw new StatusError(end.exitCode);
  if (end.kind === 'ended') throw new StatusError(1, 'Error response from daemon: the exec stream ended without an exit status');
}
