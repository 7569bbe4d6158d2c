import type { daemon } from '@berth/proto';
import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { describeError } from '../daemon-errors';
import { bytesSize } from '../format/size';
import { renderTemplate } from '../format/template';
import { CLI_VERSION } from '../version';

// docker info's Server section, in its order and wording.
export function serverInfoText(info: daemon.InfoResponse): string {
  const lines = [
    `Server:`,
    ` Containers: ${info.containers}`,
    `  Running: ${info.containersRunning}`,
    `  Paused: ${info.containersPaused}`,
    `  Stopped: ${info.containersStopped}`,
    ` Images: ${info.images}`,
    ` Server Version: ${info.serverVersion}`,
    ` Storage Driver: ${info.storageDriver}`,
    ` Cgroup Driver: ${info.cgroupDriver}`,
    ` Cgroup Version: ${info.cgroupVersion}`,
    ` Runtimes: ${info.runtimes.join(' ')}`,
    ` Default Runtime: ${info.defaultRuntime}`,
  ];
  if (info.securityOptions.length > 0) {
    lines.push(' Security Options:');
    for (const option of info.securityOptions) {
      const fields = Object.fromEntries(option.split(',').map((kv) => kv.split('=') as [string, string]));
      lines.push(`  ${fields.name ?? option}`);
      for (const [key, value] of Object.entries(fields)) {
        if (key !== 'name') lines.push(`   ${key.charAt(0).toUpperCase()}${key.slice(1)}: ${value}`);
      }
    }
  }
  lines.push(
    ` Kernel Version: ${info.kernelVersion}`,
    ` Operating System: ${info.operatingSystem}`,
    ` OSType: ${info.osType}`,
    ` Architecture: ${info.architecture}`,
    ` CPUs: ${info.ncpu}`,
    ` Total Memory: ${bytesSize(info.memTotal)}`,
    ` Name: ${info.name}`,
    ` Berth Root Dir: ${info.rootDir}`,
    ` Redis: ${info.redis}`,
  );
  return `${lines.join('\n')}\n`;
}

export function infoCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('info', ctx.io)
    .usage('[OPTIONS]')
    .description('Display system-wide information')
    .argument('[args...]')
    .option('-f, --format <string>', "Format output using a custom template: 'json' or a Go template");
  return cmd.action(async (args: string[], flags: { format?: string }) => {
    cmd.requireArgs(args, 0, 0);
    let info: daemon.InfoResponse;
    try {
      info = await ctx.daemon().call('info', {});
    } catch (err) {
      if (flags.format === undefined) ctx.io.stdout.write(`Client:\n Version:    ${CLI_VERSION}\n Context:    default\n Debug Mode: false\n\n`);
      throw new StatusError(1, describeError(err));
    }
    if (flags.format === 'json') ctx.io.stdout.write(`${JSON.stringify(info)}\n`);
    else if (flags.format !== undefined) ctx.io.stdout.write(`${renderTemplate(flags.format, info)}\n`);
    else ctx.io.stdout.write(`Client:\n Version:    ${CLI_VERSION}\n Context:    default\n Debug Mode: false\n\n${serverInfoText(info)}`);
  });
}
