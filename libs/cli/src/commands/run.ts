import type { daemon as proto } from '@berth/proto';
import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { engineFailure } from '../daemon-errors';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../parse/detach-keys';
import { runSession } from '../stdio/session';
import { addContainerOptions, containerRequest, type ContainerFlags } from './container-options';
import { createWithPull, withImagePull } from './create-with-pull';

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
  let id = '';
  try {
    const request = containerRequest(flags, args, { autoRemove: flags.rm === true, detach: flags.detach === true }, ctx.io.env);
    const detachKeys = parseDetachKeys(flags.detachKeys ?? DEFAULT_DETACH_KEYS);
    const printWarnings = (warnings: string[]): void => {
      for (const warning of warnings) ctx.io.stderr.write(`WARNING: ${warning}\n`);
    };
    if (flags.detach === true) {
      const created = await createWithPull(ctx, { ...request, start: true }, flags);
      id = created.id;
      printWarnings(created.warnings);
      ctx.io.stdout.write(`${id}\n`);
      return;
    }
    // Attached: one stream in which the daemon creates, attaches and starts (see RunContainer).
    const config = request.config;
    const stdin = config?.attachStdin === true;
    const open = { create: request, stdin, stdout: config?.attachStdout === true, stderr: config?.attachStderr === true };
    const end = await withImagePull(ctx, config?.image ?? '', flags, () =>
      runSession<proto.RunClientFrame>({
        stream: daemon.runContainer(),
        open: { frame: { $case: 'open', value: open } },
        wrap: (frame) => ({ frame: { $case: 'stdio', value: { frame } } }),
        io: ctx.io,
        stdin,
        tty: config?.tty === true,
        detachKeys,
        onCreated: (created) => {
          id = created.id;
          printWarnings(created.warnings);
        },
        forwardSignal: flags.sigProxy ? (signal) => (id === '' ? Promise.resolve() : daemon.call('killContainer', { id, signal }).then(() => undefined)) : undefined,
        translate: (err) => daemon.translate(err),
      }),
    );
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
