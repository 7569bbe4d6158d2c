import { invalidArgument } from '@berth/errors';
import type { daemon } from '@berth/proto';
import type { DockerCommand } from '../command-kit';
import { readEnvFile, parseLabels, resolveEnv } from '../parse/env';
import { parseDetachKeys } from '../parse/detach-keys';
import { resolveSecurityOptions } from '../parse/security-opt';
import { parseBytes, parseInteger, parseNanoCpus, parseSwapBytes } from '../parse/units';

// The flags `run` and `create` share, as docker's container options.
export interface ContainerFlags {
  attach: string[];
  capAdd: string[];
  capDrop: string[];
  cpuShares?: number;
  cpus?: number;
  detachKeys?: string;
  entrypoint?: string;
  env: string[];
  envFile: string[];
  hostname?: string;
  interactive?: boolean;
  label: string[];
  memory?: number;
  memorySwap?: number;
  name?: string;
  network?: string;
  pidsLimit?: number;
  privileged?: boolean;
  pull?: string;
  readOnly?: boolean;
  runtime?: string;
  securityOpt: string[];
  stopSignal?: string;
  stopTimeout?: number;
  tty?: boolean;
  user?: string;
  workdir?: string;
  platform?: string;
  quiet?: boolean;
}

const STREAMS = ['stdin', 'stdout', 'stderr'];

export function addContainerOptions(cmd: DockerCommand): DockerCommand {
  return cmd
    .listOption('-a, --attach <list>', 'Attach to STDIN, STDOUT or STDERR')
    .listOption('--cap-add <list>', 'Add Linux capabilities')
    .listOption('--cap-drop <list>', 'Drop Linux capabilities')
    .typedOption('-c, --cpu-shares <int>', 'CPU shares (relative weight)', parseInteger)
    .typedOption('--cpus <decimal>', 'Number of CPUs', parseNanoCpus)
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .listOption('-e, --env <list>', 'Set environment variables')
    .listOption('--env-file <list>', 'Read in a file of environment variables')
    .option('-h, --hostname <string>', 'Container host name')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .listOption('-l, --label <list>', 'Set meta data on a container')
    .typedOption('-m, --memory <bytes>', 'Memory limit', parseBytes)
    .typedOption('--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", parseSwapBytes)
    .option('--name <string>', 'Assign a name to the container')
    .option('--network <network>', 'Connect a container to a network (none or host)')
    .typedOption('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)', parseInteger)
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--privileged', 'Give extended privileges to this container')
    .typedOption('--pull <string>', 'Pull image before creating ("always", "|missing", "never")', (value) => {
      if (!['always', 'missing', 'never', ''].includes(value)) throw invalidArgument(`invalid pull option: '${value}': must be one of "always", "missing" or "never"`);
      return value;
    })
    .option('-q, --quiet', 'Suppress the pull output')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--runtime <string>', 'Runtime to use for this container')
    .listOption('--security-opt <list>', 'Security Options')
    .option('--stop-signal <string>', 'Signal to stop the container')
    .typedOption('--stop-timeout <int>', 'Timeout (in seconds) to stop a container', parseInteger)
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('-w, --workdir <string>', 'Working directory inside the container');
}

export interface CreateOptions {
  autoRemove: boolean;
  // run -d: nothing is attached.
  detach: boolean;
}

export function attachedStreams(flags: ContainerFlags, detach: boolean): { stdin: boolean; stdout: boolean; stderr: boolean } {
  if (detach) return { stdin: false, stdout: false, stderr: false };
  if (flags.attach.length === 0) return { stdin: flags.interactive === true, stdout: true, stderr: true };
  const chosen = flags.attach.map((stream) => stream.toLowerCase());
  for (const stream of chosen) {
    if (!STREAMS.includes(stream)) throw invalidArgument(`invalid argument "${stream}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  }
  return { stdin: chosen.includes('stdin'), stdout: chosen.includes('stdout'), stderr: chosen.includes('stderr') };
}

// docker's parse(): flags plus IMAGE [COMMAND] [ARG...] to a create request.
export function containerRequest(
  flags: ContainerFlags,
  args: readonly string[],
  options: CreateOptions,
  env: Readonly<Record<string, string | undefined>>,
): daemon.CreateContainerRequest {
  const [image = '', ...cmd] = args;
  if (flags.detachKeys !== undefined) parseDetachKeys(flags.detachKeys);
  if (flags.network !== undefined && !['none', 'host', 'default', ''].includes(flags.network)) {
    throw invalidArgument(`network ${flags.network} not found: Berth supports --network none and --network host`);
  }
  const streams = attachedStreams(flags, options.detach);
  const security = resolveSecurityOptions(flags.securityOpt);
  const envList = [...flags.envFile.flatMap((file) => readEnvFile(file, env)), ...flags.env.map((entry) => resolveEnv(entry, env))];
  return {
    name: flags.name ?? '',
    start: false,
    config: {
      image,
      cmd,
      entrypointSet: flags.entrypoint !== undefined,
      entrypoint: flags.entrypoint === undefined || flags.entrypoint === '' ? [] : [flags.entrypoint],
      env: envList,
      workingDir: flags.workdir ?? '',
      user: flags.user ?? '',
      hostname: flags.hostname ?? '',
      tty: flags.tty === true,
      openStdin: flags.interactive === true,
      attachStdin: streams.stdin,
      attachStdout: streams.stdout,
      attachStderr: streams.stderr,
      labels: parseLabels(flags.label),
      stopSignal: flags.stopSignal ?? '',
      stopTimeout: flags.stopTimeout ?? 0,
    },
    hostConfig: {
      autoRemove: options.autoRemove,
      privileged: flags.privileged === true,
      capAdd: flags.capAdd,
      capDrop: flags.capDrop,
      securityOpt: security.securityOpt,
      readOnlyRootfs: flags.readOnly === true,
      memory: flags.memory ?? 0,
      memorySwap: flags.memorySwap ?? 0,
      nanoCpus: flags.cpus ?? 0,
      cpuShares: flags.cpuShares ?? 0,
      pidsLimit: flags.pidsLimit ?? 0,
      networkMode: flags.network ?? '',
      runtime: flags.runtime ?? '',
      seccompProfile: security.seccompProfile,
    },
  };
}
