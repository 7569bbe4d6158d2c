import type * as Supervisor from '@berth/supervisor';
import { DEFAULT_ROOT, stackLayout, unixAddress } from '@berth/layout';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { renderTable } from '../format/table';
import { systemDfCommand } from './system-df';


interface RootFlags {
  root?: string;
  hubAddr?: string;
}

// The stack's supervisor is loaded only by these commands, to keep every other command's start
// cheap.
export function supervisor(): typeof Supervisor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@berth/supervisor') as typeof Supervisor;
}

function rootOf(ctx: CliContext, flags: RootFlags): string {
  return flags.root ?? ctx.io.env.BERTH_ROOT ?? DEFAULT_ROOT;
}

function daemonHost(root: string): string {
  return unixAddress(stackLayout(root).daemonSocket);
}

function withRoot(cmd: DockerCommand): DockerCommand {
  return cmd.argument('[args...]').option('--root <string>', 'Root directory of the Berth stack (default "/var/lib/berth", or $BERTH_ROOT)');
}

export function systemCommand(ctx: CliContext): DockerCommand {
  const system = new DockerCommand('system', ctx.io).usage('COMMAND').description('Manage the Berth stack');

  const up = withRoot(new DockerCommand('up', ctx.io).usage('[OPTIONS]').description('Start the Berth services and wait until they are healthy')).option(
    '--hub-addr <string>',
    'HOST:PORT the stack\'s Hub listens on (default "127.0.0.1:5000" for the default root, else a free loopback port kept under the root)',
  );
  up.action(async (args: string[], flags: RootFlags) => {
    up.requireArgs(args, 0, 0);
    const root = rootOf(ctx, flags);
    await supervisor().systemUp({ root, hubAddr: flags.hubAddr });
    ctx.io.stdout.write(`export BERTH_HOST=${daemonHost(root)}\n`);
  });

  const down = withRoot(new DockerCommand('down', ctx.io).usage('[OPTIONS]').description('Stop the running containers and the Berth services'));
  down.action(async (args: string[], flags: RootFlags) => {
    down.requireArgs(args, 0, 0);
    await supervisor().systemDown({ root: rootOf(ctx, flags) });
  });

  const status = withRoot(new DockerCommand('status', ctx.io).usage('[OPTIONS]').description('Show the state of each Berth service'));
  status.action(async (args: string[], flags: RootFlags) => {
    status.requireArgs(args, 0, 0);
    const rows = await supervisor().systemStatus({ root: rootOf(ctx, flags) });
    const table = [['SERVICE', 'PID', 'STATE', 'ADDRESS'], ...rows.map((r) => [r.service, r.pid === null ? '-' : String(r.pid), r.state, r.address])];
    ctx.io.stdout.write(renderTable(table));
  });

  return system.addCommand(up).addCommand(down).addCommand(status).addCommand(systemDfCommand(ctx));
}
