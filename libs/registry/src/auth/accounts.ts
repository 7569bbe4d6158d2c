import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { BerthError, ErrorCode, invalidArgument } from '@berth/errors';
import { checkName } from '../names';
import { readFileIfExists, writeFileAtomic } from './atomic-file';

export type Visibility = 'public' | 'private';

interface AccountsFile {
  users: Record<string, { passwordHash: string; createdAt: string }>;
  orgs: Record<string, { members: string[]; createdAt: string }>;
  // Only repositories whose visibility was set; the rest are public.
  repositories: Record<string, { visibility: Visibility }>;
}

const empty = (): AccountsFile => ({ users: {}, orgs: {}, repositories: {} });

// A user or organisation name is one repository-name component, so it can be a namespace.
const ACCOUNT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// bcrypt's cost; ~50 ms a check in bcryptjs, paid only at login and on Basic-authenticated requests.
const BCRYPT_ROUNDS = 10;
// bcrypt reads at most 72 bytes; longer passwords would silently share a hash.
const MAX_PASSWORD_BYTES = 72;
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_CACHE_SIZE = 1000;

function checkAccountName(name: string): string {
  if (name.length > 64 || !ACCOUNT_NAME.test(name)) throw invalidArgument(`invalid account name ${JSON.stringify(name.slice(0, 64))}`);
  return name;
}

// The namespace of a repository: its first component (`alice` of `alice/app`, `tools` of `tools`).
export const namespaceOf = (repository: string): string => repository.split('/')[0] ?? repository;

/*
 * Users, organisations (teams) and repository visibility, in one JSON file in the registry's
 * storage root written atomically. Every process re-reads it when its mtime or size changes, so
 * several Hub processes and the admin CLI share it; concurrent admin edits are last-writer-wins
 * (the admin CLI is the only writer).
 */
export class AccountStore {
  private cached?: { key: string; data: AccountsFile };
  // Recently verified credentials (a hash of user, password and stored hash, so a password change
  // invalidates them), so clients sending Basic auth on every request pay bcrypt once a minute.
  private readonly verified = new Map<string, number>();

  constructor(private readonly path: string) {}

  async load(): Promise<AccountsFile> {
    const info = await stat(this.path).catch(() => undefined);
    const key = info ? `${info.mtimeMs}:${info.size}:${info.ino}` : 'absent';
    if (this.cached?.key === key) return this.cached.data;
    const raw = await readFileIfExists(this.path);
    const data = raw ? { ...empty(), ...(JSON.parse(raw.toString('utf8')) as Partial<AccountsFile>) } : empty();
    this.cached = { key, data };
    return data;
  }

  private async update(change: (data: AccountsFile) => void): Promise<void> {
    const data = structuredClone(await this.load());
    change(data);
    await writeFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`);
    this.cached = undefined;
  }

  async addUser(name: string, password: string): Promise<void> {
    checkAccountName(name);
    const passwordHash = await hashPassword(password);
    await this.update((d) => {
      if (d.users[name] || d.orgs[name]) throw new BerthError(ErrorCode.AlreadyExists, `account ${name} already exists`);
      d.users[name] = { passwordHash, createdAt: new Date().toISOString() };
    });
  }

  async setPassword(name: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.update((d) => {
      const user = d.users[name];
      if (!user) throw new BerthError(ErrorCode.NotFound, `user ${name} not found`);
      user.passwordHash = passwordHash;
    });
  }

  async removeUser(name: string): Promise<void> {
    await this.update((d) => {
      if (!d.users[name]) throw new BerthError(ErrorCode.NotFound, `user ${name} not found`);
      delete d.users[name];
      for (const org of Object.values(d.orgs)) org.members = org.members.filter((m) => m !== name);
    });
  }

  async addOrg(name: string): Promise<void> {
    checkAccountName(name);
    await this.update((d) => {
      if (d.users[name] || d.orgs[name]) throw new BerthError(ErrorCode.AlreadyExists, `account ${name} already exists`);
      d.orgs[name] = { members: [], createdAt: new Date().toISOString() };
    });
  }

  async removeOrg(name: string): Promise<void> {
    await this.update((d) => {
      if (!d.orgs[name]) throw new BerthError(ErrorCode.NotFound, `organisation ${name} not found`);
      delete d.orgs[name];
    });
  }

  async setMember(org: string, user: string, member: boolean): Promise<void> {
    await this.update((d) => {
      const entry = d.orgs[org];
      if (!entry) throw new BerthError(ErrorCode.NotFound, `organisation ${org} not found`);
      if (member && !d.users[user]) throw new BerthError(ErrorCode.NotFound, `user ${user} not found`);
      entry.members = entry.members.filter((m) => m !== user);
      if (member) entry.members.push(user);
    });
  }

  async setVisibility(repository: string, visibility: Visibility): Promise<void> {
    checkName(repository);
    if (visibility !== 'public' && visibility !== 'private') throw invalidArgument('visibility must be public or private');
    await this.update((d) => {
      d.repositories[repository] = { visibility };
    });
  }

  // The user when the password is right; undefined otherwise (unknown user or wrong password
  // alike, and in about the same time, so the answer does not tell which).
  async verify(user: string, password: string): Promise<string | undefined> {
    const entry = (await this.load()).users[user];
    const key = createHash('sha256').update(`${user}\0${password}\0${entry?.passwordHash ?? ''}`).digest('hex');
    if (entry && (this.verified.get(key) ?? 0) > Date.now()) return user;
    const ok = await bcrypt.compare(password, entry?.passwordHash ?? dummyHash());
    if (!ok || !entry) return undefined;
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
    this.verified.set(key, Date.now() + VERIFIED_TTL_MS);
    return user;
  }

  async visibility(repository: string): Promise<Visibility> {
    return (await this.load()).repositories[repository]?.visibility ?? 'public';
  }

  // Whether `user` may write to `repository`: it is their own namespace, or an org's they belong to.
  async canWrite(user: string | undefined, repository: string): Promise<boolean> {
    if (user === undefined) return false;
    const data = await this.load();
    if (!data.users[user]) return false;
    const ns = namespaceOf(repository);
    return ns === user || (data.orgs[ns]?.members.includes(user) ?? false);
  }
}

// A valid hash of a random password, so unknown users cost a bcrypt comparison too; made on first
// use so that importing the library costs nothing.
let dummy: string | undefined;
const dummyHash = (): string => (dummy ??= bcrypt.hashSync(Math.random().toString(36), BCRYPT_ROUNDS));

async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw invalidArgument('empty password');
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw invalidArgument(`password over ${MAX_PASSWORD_BYTES} bytes`);
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}
