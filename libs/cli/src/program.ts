import { DockerCommand } from './command-kit';
import type { CliContext } from './context';
import { attachCommand } from './commands/attach';
import { createCommand } from './commands/create';
import { execCommand } from './commands/exec';
import { imagesCommand } from './commands/images';
import { historyCommand } from './commands/history';
import { imagePruneCommand } from './commands/prune';
import { importCommand } from './commands/import';
import { exportCommand } from './commands/export';
import { loadCommand } from './commands/load';
import { saveCommand } from './commands/save';
import { infoCommand } from './commands/info';
import { containerInspectCommand, imageInspectCommand, inspectCommand } from './commands/inspect';
import {
  killCommand,
  pauseCommand,
  renameCommand,
  restartCommand,
  rmCommand,
  stopCommand,
  unpauseCommand,
  waitCommand,
} from './commands/lifecycle';
import { logsCommand } from './commands/logs';
import { psCommand } from './commands/ps';
import { pullCommand } from './commands/pull';
import { pushCommand } from './commands/push';
import { loginCommand, logoutCommand } from './commands/login';
import { searchCommand } from './commands/search';
import { rmiCommand, tagCommand } from './commands/rmi';
import { runCommand } from './commands/run';
import { startCommand } from './commands/start';
import { systemCommand } from './commands/system';
import { hubGroup } from './commands/hub';
import { topCommand } from './commands/top';
import { versionCommand } from './commands/version';
import { CLI_VERSION } from './version';

type Builder = (ctx: CliContext, name?: string) => DockerCommand;

// Container commands by name, available at the top level and under `berth container`.
const CONTAINER_COMMANDS = new Map<string, Builder>([
  ['attach', attachCommand],
  ['create', createCommand],
  ['exec', execCommand],
  ['kill', killCommand],
  ['logs', logsCommand],
  ['pause', pauseCommand],
  ['rename', renameCommand],
  ['restart', restartCommand],
  ['rm', rmCommand],
  ['run', runCommand],
  ['start', startCommand],
  ['stop', stopCommand],
  ['top', topCommand],
  ['unpause', unpauseCommand],
  ['wait', waitCommand],
]);

function containerGroup(ctx: CliContext): DockerCommand {
  const group = new DockerCommand('container', ctx.io).usage('COMMAND').description('Manage containers');
  for (const build of CONTAINER_COMMANDS.values()) group.addCommand(build(ctx));
  group.addCommand(psCommand(ctx, 'ls').alias('ps').alias('list'));
  group.addCommand(containerInspectCommand(ctx));
  group.addCommand(exportCommand(ctx));
  return group;
}

function imageGroup(ctx: CliContext): DockerCommand {
  const group = new DockerCommand('image', ctx.io).usage('COMMAND').description('Manage images');
  group.addCommand(importCommand(ctx));
  group.addCommand(imageInspectCommand(ctx));
  group.addCommand(imagesCommand(ctx, 'ls').alias('list'));
  group.addCommand(pullCommand(ctx));
  group.addCommand(pushCommand(ctx));
  group.addCommand(rmiCommand(ctx, 'rm').alias('remove'));
  group.addCommand(tagCommand(ctx));
  group.addCommand(saveCommand(ctx));
  group.addCommand(loadCommand(ctx));
  group.addCommand(historyCommand(ctx));
  group.addCommand(imagePruneCommand(ctx));
  return group;
}

// Every top-level command by its name, in the order help lists them.
export const TOP_LEVEL_COMMANDS: ReadonlyMap<string, Builder> = new Map<string, Builder>([
  ...CONTAINER_COMMANDS,
  ['ps', psCommand],
  ['inspect', inspectCommand],
  ['images', imagesCommand],
  ['history', historyCommand],
  ['import', importCommand],
  ['pull', pullCommand],
  ['push', pushCommand],
  ['login', loginCommand],
  ['logout', logoutCommand],
  ['search', searchCommand],
  ['rmi', rmiCommand],
  ['tag', tagCommand],
  ['save', saveCommand],
  ['load', loadCommand],
  ['export', exportCommand],
  ['version', versionCommand],
  ['info', infoCommand],
  ['container', containerGroup],
  ['image', imageGroup],
  ['system', systemCommand],
  ['hub', hubGroup],
]);

// The command a command line names, when it names one before any option but -H/--host.
export function commandNameOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-H' || arg === '--host') i++;
    else if (arg.startsWith('--host=') || (arg.startsWith('-H') && arg.length > 2)) continue;
    else return arg.startsWith('-') ? undefined : arg;
  }
  return undefined;
}

// With argv, only the command it names is built: building every command (the container ones
// twice) took milliseconds of each start. Help, a typo or a bare `berth` get them all.
export function buildProgram(ctx: CliContext, argv?: readonly string[]): DockerCommand {
  const program = new DockerCommand('berth', ctx.io)
    .usage('[OPTIONS] COMMAND')
    .description('A self-sufficient runtime for containers, in TypeScript')
    .option('-H, --host <string>', 'Daemon socket to connect to (default $BERTH_HOST or unix:///run/berth/berthd.sock)')
    .option('-v, --version', 'Print version information and quit')
    .action(() => {
      // Reached without a known command: `berth -v`, bare `berth`, or a typo.
      if (program.args.length > 0) program.unknownCommand();
      if (program.opts<{ version?: boolean }>().version === true) ctx.io.stdout.write(`Berth version ${CLI_VERSION}\n`);
      else program.outputHelp();
    });
  const named = argv === undefined ? undefined : commandNameOf(argv);
  const only = named === undefined ? undefined : TOP_LEVEL_COMMANDS.get(named);
  for (const build of only ? [only] : TOP_LEVEL_COMMANDS.values()) program.addCommand(build(ctx));
  return program;
}
