import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@berth/errors';
import { AccountStore, namespaceOf } from './accounts';
import { parseScope } from './scope';

describe('AccountStore', () => {
  // Made in beforeAll, not when the file is collected: a -t filter that skips every test here
  // runs no afterAll to remove it.
  let dir = '';
  let path = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-accounts-'));
    path = join(dir, 'auth/accounts.json');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps bcrypt hashes, never passwords, in a private file other processes see', async () => {
    const store = new AccountStore(path);
    await store.addUser('alice', 'pw1');
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('pw1');
    expect(text).toMatch(/\$2[aby]\$10\$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const other = new AccountStore(path);
    expect(await other.verify('alice', 'pw1')).toBe('alice');
    expect(await other.verify('alice', 'pw2')).toBeUndefined();
    expect(await other.verify('nobody', 'pw1')).toBeUndefined();
    await store.setPassword('alice', 'pw2');
    expect(await other.verify('alice', 'pw1')).toBeUndefined();
    expect(await other.verify('alice', 'pw2')).toBe('alice');
  });

  it('manages organisations, members and visibility', async () => {
    const store = new AccountStore(path);
    await store.addUser('bob', 'pw');
    await store.addOrg('acme');
    await expect(store.addOrg('bob')).rejects.toMatchObject({ code: ErrorCode.AlreadyExists });
    await expect(store.addUser('Bad/Name', 'pw')).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(store.setMember('acme', 'ghost', true)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await store.setMember('acme', 'bob', true);
    expect(await store.canWrite('bob', 'acme/api')).toBe(true);
    expect(await store.canWrite('bob', 'bob/app/sub')).toBe(true);
    expect(await store.canWrite('bob', 'alice/app')).toBe(false);
    expect(await store.canWrite(undefined, 'bob/app')).toBe(false);
    await store.removeUser('bob');
    expect(await store.canWrite('bob', 'acme/api')).toBe(false);
    expect(await store.visibility('acme/api')).toBe('public');
    await store.setVisibility('acme/api', 'private');
    expect(await new AccountStore(path).visibility('acme/api')).toBe('private');
    await expect(store.setVisibility('acme/api', 'secret' as 'public')).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
  });

  it('reads names and scopes as docker writes them', () => {
    expect(namespaceOf('alice/app/x')).toBe('alice');
    expect(namespaceOf('tools')).toBe('tools');
    expect(parseScope('repository:alice/app:pull,push')).toEqual({ type: 'repository', name: 'alice/app', actions: ['pull', 'push'] });
    expect(parseScope('repository:127.0.0.1:5000/a:pull')).toEqual({ type: 'repository', name: '127.0.0.1:5000/a', actions: ['pull'] });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('repository:a:fly')).toBeUndefined();
    expect(parseScope('garbage')).toBeUndefined();
  });
});
