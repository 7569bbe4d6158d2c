import { StatusError } from '../cli-errors';
import { DockerCommand } from '../command-kit';
import type { CliContext } from '../context';
import { configDir, removeCredentials, saveCredentials, serverKey } from '../credentials-file';
import type { CliInput, CliOutput } from '../io';
import { registryDomainOf } from './registry-domain';

interface LoginFlags {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

// docker login [OPTIONS] [SERVER]: checks the credentials through the daemon, then stores them.
export function loginCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('login', ctx.io)
    .usage('[OPTIONS] [SERVER]')
    .description('Authenticate to a registry')
    .argument('[args...]')
    .option('-p, --password <string>', 'Password or Personal Access Token (PAT)')
    .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin')
    .option('-u, --username <string>', 'Username');
  return cmd.action(async (args: string[], flags: LoginFlags) => {
    cmd.requireArgs(args, 0, 1);
    const domain = registryDomainOf(args[0] ?? '');
    const { stdin, stdout, stderr } = ctx.io;
    if (flags.password !== undefined && flags.passwordStdin === true) throw new StatusError(1, '--password and --password-stdin are mutually exclusive');
    let password = flags.password;
    if (flags.passwordStdin === true) {
      if (!flags.username) throw new StatusError(1, 'Must provide --username with --password-stdin');
      password = (await readAll(stdin)).replace(/\r?\n$/, '');
    } else if (password !== undefined) {
      stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    let username = flags.username?.trim();
    if (!username || password === undefined) {
      if (stdin.isTTY !== true) throw new StatusError(1, 'Error: Cannot perform an interactive login from a non TTY device');
      if (!username) username = (await promptLine(stdin, stdout, 'Username: ', true)).trim();
      if (password === undefined) password = await promptLine(stdin, stdout, 'Password: ', false);
    }
    if (!username) throw new StatusError(1, 'Error: Non-null Username Required');
    if (!password) throw new StatusError(1, 'Error: Password Required');
    const auth = { username, password };
    const response = await ctx.daemon().call('login', { server: domain, auth });
    await saveCredentials(configDir(ctx.io.env), domain, auth);
    stdout.write(`${response.status}\n`);
  });
}

// docker logout [SERVER]
export function logoutCommand(ctx: CliContext): DockerCommand {
  const cmd = new DockerCommand('logout', ctx.io)
    .usage('[SERVER]')
    .description('Log out from a registry')
    .argument('[args...]');
  return cmd.action(async (args: string[]) => {
    cmd.requireArgs(args, 0, 1);
    const domain = registryDomainOf(args[0] ?? '');
    const shown = serverKey(domain);
    if (!(await removeCredentials(configDir(ctx.io.env), domain))) {
      ctx.io.stdout.write(`Not logged in to ${shown}\n`);
      return;
    }
    ctx.io.stdout.write(`Removing login credentials for ${shown}\n`);
  });
}

async function readAll(input: CliInput): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

// Reads one line from the terminal; without echo for a password (raw mode, nothing written back).
function promptLine(input: CliInput, output: CliOutput, prompt: string, echo: boolean): Promise<string> {
  output.write(prompt);
  return new Promise((resolve, reject) => {
    let line = '';
    input.setRawMode?.(true);
    const finish = (result: string | Error): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of Buffer.from(chunk).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(line);
        if (ch === '\u0003' || ch === '\u0004') return finish(new StatusError(1, ''));
        if (ch === '\u007f' || ch === '\b') {
          if (line.length > 0 && echo) output.write('\b \b');
          line = line.slice(0, -1);
          continue;
        }
        line += ch;
        if (echo) output.write(ch);
      }
    };
    input.on('data', onData);
    input.resume();
  });
}
