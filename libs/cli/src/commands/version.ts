import type { daemon } from '@berth/proto';
import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { describeError } from '../daemon-errors';
import { renderTemplate } from '../format/template';
import { CLI_API_VERSION, CLI_VERSION, goArch } from '../version';

const line = (indent: number, label: string, value: string): string => `${' '.repeat(indent)}${`${label}:`.padEnd(19 - indent)}${value}\n`;

function clientSection(): Record<string, string> {
  return { Version: CLI_VERSION, ApiVersion: CLI_API_VERSION, NodeVersion: process.version, Os: 'linux', Arch: goArch() };
}

function serverSection(server: daemon.VersionResponse): Record<string, string> {
  return {
    Version: server.version,
    ApiVersion: server.apiVersion,
    NodeVersion: server.nodeVersion,
    GitCommit: server.gitCommit,
    Os: server.os,
    Arch: server.arch,
    KernelVersion: server.kernelVersion,
    RuntimeVersion: server.runtimeVersion,
  };
}

export function versionCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('version', ctx.io)
    .usage('[OPTIONS]')
    .description('Show the Berth version information')
    .argument('[args...]')
    .option('-f, --format <string>', "Format output using a custom template: 'json' or a Go template");
  return cmd.action(async (args: string[], flags: { format?: string }) => {
    cmd.requireArgs(args, 0, 0);
    const client = clientSection();
    let server: Record<string, string> | undefined;
    let failure: unknown;
    try {
      server = serverSection(await ctx.daemon().call('version', {}));
    } catch (err) {
      failure = err;
    }
    const out = ctx.io.stdout;
    if (flags.format !== undefined) {
      const data = { Client: client, Server: server ?? null };
      out.write(flags.format === 'json' ? `${JSON.stringify(data)}\n` : `${renderTemplate(flags.format, data)}\n`);
    } else {
      out.write('Client:\n');
      out.write(line(1, 'Version', client.Version ?? ''));
      out.write(line(1, 'API version', client.ApiVersion ?? ''));
      out.write(line(1, 'Node.js version', client.NodeVersion ?? ''));
      out.write(line(1, 'OS/Arch', `${client.Os}/${client.Arch}`));
      if (server !== undefined) {
        out.write('\nServer: Berth Engine\n Engine:\n');
        out.write(line(2, 'Version', server.Version ?? ''));
        out.write(line(2, 'API version', server.ApiVersion ?? ''));
        out.write(line(2, 'Node.js version', server.NodeVersion ?? ''));
        out.write(line(2, 'Git commit', server.GitCommit ?? ''));
        out.write(line(2, 'OS/Arch', `${server.Os}/${server.Arch}`));
        out.write(line(2, 'Kernel version', server.KernelVersion ?? ''));
        if (server.RuntimeVersion) out.write(` runc:\n${line(2, 'Version', server.RuntimeVersion)}`);
      }
    }
    if (failure !== undefined) throw new StatusError(1, describeError(failure));
  });
}
