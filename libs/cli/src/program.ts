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

// Container commands, available at the top level and under `berth container`.
const CONTAINER_COMMANDS: Builder[] = [
  attachCommand,
  createCommand,
  execCommand,
  killCommand,
  logsCommand,
  pauseCommand,
  renameCommand,
  restartCommand,
  rmCommand,
  runCommand,
  startCommand,
  stopCommand,
  topCommand,
  unpauseCommand,
  waitCommand,
];

function containerGroup(ctx: CliContext): DockerCommand {
  const group = new DockerCommand('container', ctx.io).usage('COMMAND').description('Manage containers');
  for (const build of CONTAINER_COMMANDS) group.addCommand(build(ctx));
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

export function buildProgram(ctx: CliContext): DockerCommand {
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
  for (const build of CONTAINER_COMMANDS) program.addCommand(build(ctx));
  program.addCommand(psCommand(ctx));
  program.addCommand(inspectCommand(ctx));
  program.addCommand(imagesCommand(ctx));
  program.addCommand(historyCommand(ctx));
  program.addCommand(importCommand(ctx));
  program.addCommand(pullCommand(ctx));
  program.addCommand(pushCommand(ctx));
  program.addCommand(loginCommand(ctx));
  program.addCommand(logoutCommand(ctx));
  program.addCommand(searchCommand(ctx));
  program.addCommand(rmiCommand(ctx));
  program.addCommand(tagCommand(ctx));
  program.addCommand(saveCommand(ctx));
  program.addCommand(loadCommand(ctx));
  program.addCommand(exportCommand(ctx));
  program.addCommand(versionCommand(ctx));
  program.addCommand(infoCommand(ctx));
  program.addCommand(containerGroup(ctx));
  program.addCommand(imageGroup(ctx));
  program.addCommand(systemCommand(ctx));
  program.addCommand(hubGroup(ctx));
  return program;
}
