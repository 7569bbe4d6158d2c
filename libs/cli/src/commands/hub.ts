import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { supervisor } from './system';

interface HubFlags {
  root?: string;
  config?: string;
  addr?: string;
  redis?: string;
  passwordStdin?: boolean;
}

// Each `berth hub` command is the registry app's own command run in the foreground: the CLI only
// translates the words, so accounts and storage are handled by the Hub's code alone.
function hubArgs(words: string[], flags: HubFlags): string[] {
  const out = [...words];
  if (flags.addr !== undefined) out.push('--addr', flags.addr);
  if (flags.redis !== undefined) out.push('--redis', flags.redis);
  if (flags.root !== undefined) out.push('--root', flags.root);
  if (flags.config !== undefined) out.push('--config', flags.config);
  if (flags.passwordStdin === true) out.push('--password-stdin');
  return out;
}

async function runHub(words: string[], flags: HubFlags): Promise<void> {
  const status = await supervisor().runHub(hubArgs(words, flags));
  if (status !== 0) throw new StatusError(status);
}

function hubCommand(ctx: CliContext, name: string, usage: string, description: string, nargs: number): DockerCommand {
  return new DockerCommand(name, ctx.io)
    .usage(usage)
    .description(description)
    .argument('[args...]')
    .option('--root <string>', 'Root directory of the Berth stack whose Hub storage is used (default "/var/lib/berth", or $BERTH_ROOT)')
    .option('--config <string>', 'Hub configuration file (YAML or JSON)')
    .hook('preAction', (cmd) => (cmd as DockerCommand).requireArgs(cmd.args, nargs, nargs));
}

// Each leaf: its name, usage, description, argument count, and the registry app's words for it.
interface Leaf {
  name: string;
  usage: string;
  description: string;
  nargs: number;
  words: (args: string[]) => string[];
  passwordStdin?: boolean;
}

const USER_COMMANDS: Leaf[] = [
  { name: 'add', usage: '[OPTIONS] NAME', description: 'Add a user (password read from stdin)', nargs: 1, words: ([n]) => ['user', 'add', n!], passwordStdin: true },
  { name: 'passwd', usage: '[OPTIONS] NAME', description: "Change a user's password (read from stdin)", nargs: 1, words: ([n]) => ['user', 'passwd', n!], passwordStdin: true },
  { name: 'rm', usage: '[OPTIONS] NAME', description: 'Remove a user', nargs: 1, words: ([n]) => ['user', 'rm', n!] },
  { name: 'ls', usage: '[OPTIONS]', description: 'List users', nargs: 0, words: () => ['user', 'ls'] },
];

const ORG_COMMANDS: Leaf[] = [
  { name: 'create', usage: '[OPTIONS] NAME', description: 'Create an organisation', nargs: 1, words: ([n]) => ['org', 'add', n!] },
  { name: 'rm', usage: '[OPTIONS] NAME', description: 'Remove an organisation', nargs: 1, words: ([n]) => ['org', 'rm', n!] },
  { name: 'add-member', usage: '[OPTIONS] ORG USER', description: 'Add a user to an organisation', nargs: 2, words: ([o, u]) => ['org', 'member', 'add', o!, u!] },
  { name: 'rm-member', usage: '[OPTIONS] ORG USER', description: 'Remove a user from an organisation', nargs: 2, words: ([o, u]) => ['org', 'member', 'rm', o!, u!] },
  { name: 'ls', usage: '[OPTIONS]', description: 'List organisations and their members', nargs: 0, words: () => ['org', 'ls'] },
];

function group(ctx: CliContext, name: string, description: string, leaves: Leaf[]): DockerCommand {
  const parent = new DockerCommand(name, ctx.io).usage('COMMAND').description(description);
  for (const leaf of leaves) {
    const cmd = hubCommand(ctx, leaf.name, leaf.usage, leaf.description, leaf.nargs);
    if (leaf.passwordStdin) cmd.option('--password-stdin', 'Take the password from stdin (required)');
    cmd.action(async (args: string[], flags: HubFlags) => {
      if (leaf.passwordStdin && flags.passwordStdin !== true) throw new StatusError(1, 'Must provide the password on stdin with --password-stdin');
      await runHub(leaf.words(args), flags);
    });
    parent.addCommand(cmd);
  }
  return parent;
}

// berth hub serve|user|org: the Hub (apps/registry) run alone, and its accounts.
export function hubGroup(ctx: CliContext): DockerCommand {
  const hub = new DockerCommand('hub', ctx.io).usage('COMMAND').description('Run the Hub registry and manage its users and organisations');
  const serve = hubCommand(ctx, 'serve', '[OPTIONS]', 'Run the Hub in the foreground', 0)
    .option('--addr <string>', 'Address to listen on (default "127.0.0.1:5000")')
    .option('--redis <string>', 'Redis for webhook deliveries: a unix socket path or redis://HOST:PORT (without it webhooks are disabled)');
  serve.action(async (_args: string[], flags: HubFlags) => runHub(['serve'], flags));
  return hub
    .addCommand(serve)
    .addCommand(group(ctx, 'user', 'Manage Hub users', USER_COMMANDS))
    .addCommand(group(ctx, 'org', 'Manage Hub organisations', ORG_COMMANDS));
}
