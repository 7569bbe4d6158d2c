import { collectGarbage, type AccountStore, type FsDriver, type Visibility } from '@berth/registry';
import { invalidArgument } from '@berth/errors';

export const USAGE = `usage:
  registry [serve] [--addr 127.0.0.1:5000] [--root DIR] [--config FILE] [--redis URL|SOCKET]
                   [--service NAME] [--realm URL] [--allow-anonymous-push]
                   [--gc-interval SECONDS] [--gc-grace SECONDS]
  registry user add|passwd NAME --password-stdin [--root DIR]
  registry user rm NAME [--root DIR]
  registry user ls [--root DIR]
  registry org add|rm NAME [--root DIR]
  registry org ls [--root DIR]
  registry org member add|rm ORG USER [--root DIR]
  registry repo visibility NAME public|private [--root DIR]
  registry gc [--gc-grace SECONDS] [--root DIR]
`;

// Columns padded as docker's tables are (three spaces between), without a trailing newline.
function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n');
}

async function readPassword(fromStdin: boolean | undefined): Promise<string> {
  if (!fromStdin) throw invalidArgument('give the password on stdin with --password-stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is what `echo` and here-strings add, not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

// The admin commands: accounts, organisations, visibility and a one-off garbage collection, all
// on the storage root (a running Hub sees account changes on its next request).
export async function admin(args: string[], accounts: AccountStore, driver: FsDriver, opts: { passwordStdin?: boolean; graceMs: number }): Promise<string> {
  const [what, verb, a, b, c] = args;
  const need = (value: string | undefined, label: string): string => {
    if (!value) throw invalidArgument(`missing ${label}\n${USAGE}`);
    return value;
  };
  switch (`${what} ${verb}`) {
    case 'user add':
      await accounts.addUser(need(a, 'NAME'), await readPassword(opts.passwordStdin));
      return `user ${a} added`;
    case 'user passwd':
      await accounts.setPassword(need(a, 'NAME'), await readPassword(opts.passwordStdin));
      return `password of ${a} changed`;
    case 'user ls': {
      const { users, orgs } = await accounts.load();
      const teams = (user: string): string =>
        Object.keys(orgs)
          .filter((org) => orgs[org]?.members.includes(user))
          .sort()
          .join(',');
      return table(['USER', 'CREATED', 'ORGANISATIONS'], Object.keys(users).sort().map((u) => [u, users[u]?.createdAt ?? '', teams(u)]));
    }
    case 'org ls': {
      const { orgs } = await accounts.load();
      return table(['ORGANISATION', 'CREATED', 'MEMBERS'], Object.keys(orgs).sort().map((o) => [o, orgs[o]?.createdAt ?? '', [...(orgs[o]?.members ?? [])].sort().join(',')]));
    }
    case 'user rm':
      await accounts.removeUser(need(a, 'NAME'));
      return `user ${a} removed`;
    case 'org add':
      await accounts.addOrg(need(a, 'NAME'));
      return `organisation ${a} added`;
    case 'org rm':
      await accounts.removeOrg(need(a, 'NAME'));
      return `organisation ${a} removed`;
    case 'org member':
      if (a !== 'add' && a !== 'rm') throw invalidArgument(USAGE);
      await accounts.setMember(need(b, 'ORG'), need(c, 'USER'), a === 'add');
      return `${c} ${a === 'add' ? 'added to' : 'removed from'} ${b}`;
    case 'repo visibility':
      await accounts.setVisibility(need(a, 'NAME'), need(b, 'public|private') as Visibility);
      return `${a} is ${b}`;
    default:
      if (what === 'gc') {
        const r = await collectGarbage(driver, { graceMs: opts.graceMs });
        return `removed ${r.manifests} manifests, ${r.layerLinks} layer links, ${r.blobs} blobs (${r.bytes} bytes)`;
      }
      throw invalidArgument(USAGE);
  }
}
