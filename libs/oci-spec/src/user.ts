import { invalidArgument } from '@berth/errors';
import type { UserIds } from './input';

const MAX_ID = 2 ** 31 - 1;

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

// Resolves docker's --user value against the image's /etc/passwd and /etc/group contents
// (undefined where the image has none), following runc's GetExecUser rules:
// - "" means uid 0; a numeric user is a uid even without a passwd entry, a name must exist;
// - an explicit group (name or gid) replaces the primary gid and brings no supplementary groups;
// - otherwise the user's memberships in /etc/group are the supplementary groups.
// As docker does, additionalGids starts with the primary gid.
export function resolveUser(spec: string, passwd: string | undefined, group: string | undefined): UserIds {
  const [userArg = '', groupArg = ''] = spec.trim().split(':');
  const users = parsePasswd(passwd ?? '');
  const user = userArg === '' ? users.find((u) => u.uid === 0) : findUser(users, userArg);

  let uid = 0;
  let gid = 0;
  let home = '/';
  if (user) {
    ({ uid, gid, home } = user);
  } else if (userArg !== '') {
    if (!isNumeric(userArg)) {
      throw invalidArgument(`unable to find user ${userArg}: no matching entries in passwd file`);
    }
    uid = id(userArg, 'uid');
  }

  const groups = parseGroup(group ?? '');
  let supplementary: number[] = [];
  if (groupArg !== '') {
    const match = groups.find((g) => (isNumeric(groupArg) ? g.gid === Number(groupArg) : g.name === groupArg));
    if (match) gid = match.gid;
    else if (isNumeric(groupArg)) gid = id(groupArg, 'gid');
    else throw invalidArgument(`unable to find group ${groupArg}: no matching entries in group file`);
  } else if (user) {
    supplementary = groups.filter((g) => g.members.includes(user.name)).map((g) => g.gid);
  }
  return { uid, gid, additionalGids: [...new Set([gid, ...supplementary])], home };
}

// A numeric user is always a uid, even when a user of that name exists (runc's rule).
function findUser(users: PasswdEntry[], userArg: string): PasswdEntry | undefined {
  return isNumeric(userArg) ? users.find((u) => u.uid === Number(userArg)) : users.find((u) => u.name === userArg);
}

function isNumeric(text: string): boolean {
  return /^\d+$/.test(text);
}

function id(text: string, what: string): number {
  const value = Number(text);
  if (value > MAX_ID) throw invalidArgument(`${what} ${text} is out of range (0-${MAX_ID})`);
  return value;
}

// name:password:uid:gid:gecos:home:shell; malformed lines are skipped as libc does.
function parsePasswd(text: string): PasswdEntry[] {
  return dataLines(text).flatMap((line) => {
    const [name = '', , uid = '', gid = '', , home = ''] = line.split(':');
    if (!name || !isNumeric(uid) || !isNumeric(gid)) return [];
    return [{ name, uid: Number(uid), gid: Number(gid), home: home || '/' }];
  });
}

// name:password:gid:member,member
function parseGroup(text: string): GroupEntry[] {
  return dataLines(text).flatMap((line) => {
    const [name = '', , gid = '', members = ''] = line.split(':');
    if (!name || !isNumeric(gid)) return [];
    return [{ name, gid: Number(gid), members: members.split(',').map((m) => m.trim()).filter(Boolean) }];
  });
}

function dataLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
