import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { engineFailure } from '../daemon-errors';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../parse/detach-keys';
import { runSession } from '../stdio/session';
import { addContainerOptions, containerRequest, type ContainerFlags } from './container-options';
import { createWithPull } from './create-with-pull';

interface RunFlags extends ContainerFlags {
  detach?: boolean;
  rm?: boolean;
  sigProxy: boolean;
}

// docker run: create, attach, start, stream, and exit with the container's status.
export function runCommand(ctx: CliContext, name = 'run'): DockerCommand {
  const cmd = new DockerCommand(name, ctx.io)
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .description('Create and run a new container from an image')
    .argument('[args...]')
    .passThroughOptions()
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--rm', 'Automatically remove the container when it exits')
    .boolOption('--sig-proxy', 'Proxy received signals to the process', true);
  addContainerOptions(cmd).action(async (args: string[], flags: RunFlags) => {
    cmd.requireArgs(args, 1);
    await runContainer(ctx, cmd, args, flags);
  });
  return cmd;
}

async function runContainer(ctx: CliContext, cmd: DockerCommand, args: string[], flags: RunFlags): Promise<void> {
  const daemon = ctx.daemon();
  const detach = flags.detach === true;
  let id = '';
  try {
    const request = containerRequest(flags, args, { autoRemove: flags.rm === true, detach }, ctx.io.env);
    const detachKeys = parseDetachKeys(flags.detachKeys ?? DEFAULT_DETACH_KEYS);
    const created = await createWithPull(ctx, request, flags);
    id = created.id;
    for (const warning of created.warnings) ctx.io.stderr.write(`WARNING: ${warning}\n`);
    if (detach) {
      await daemon.call('startContainer', { id });
      ctx.io.stdout.write(`${id}\n`);
      return;
    }
    const config = request.config;
    const tty = config?.tty === true;
    const stdin = config?.attachStdin === true;
    const end = await runSession({
      stream: daemon.attach(),
      open: { frame: { $case: 'attach', value: { id, stdin, stdout: config?.attachStdout === true, stderr: config?.attachStderr === true, logs: false, prepareStart: true } } },
      io: ctx.io,
      stdin,
      tty,
      detachKeys,
      onReady: () => daemon.call('startContainer', { id }).then(() => undefined),
      forwardSignal: flags.sigProxy ? (signal) => daemon.call('killContainer', { id, signal }).then(() => undefined) : undefined,
      translate: (err) => daemon.translate(err),
    });
    if (end.kind === 'detached') return;
    const exitCode = end.kind === 'exit' ? end.exitCode : (await daemon.call('waitContainer', { id }, 0)).exitCode;
    if (exitCode !== 0) throw new StatusError(exitCode);
  } catch (err) {
    if (err instanceof StatusError) throw err;
    // The daemon removes --rm containers when they exit; one that never started is ours to clean.
    if (id !== '' && flags.rm === true) await daemon.call('removeContainer', { id, force: true }).catch(() => undefined);
    throw engineFailure(err, cmd.commandPath());
  }
}
