import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { configDir, DOCKER_HUB_KEY, loadCredentials, removeCredentials, saveCredentials } from './credentials-file';

describe('the credentials file', () => {
  let base: string;
  let dir: string;
  beforeEach(() => {
    base = mkdtempSync('/tmp/berth-creds-');
    dir = join(base, '.berth');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('lives in $BERTH_CONFIG, else ~/.berth', () => {
    expect(configDir({ BERTH_CONFIG: '/x/y', HOME: '/home/a' })).toBe('/x/y');
    expect(configDir({ HOME: '/home/a' })).toBe('/home/a/.berth');
  });

  it("stores docker's auths format, 0600 in a 0700 directory, and reads it back", async () => {
    await saveCredentials(dir, '127.0.0.1:5000', { username: 'alice', password: 'pa:ss' });
    await saveCredentials(dir, 'docker.io', { username: 'bob', password: 'pw' });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(stored.auths['127.0.0.1:5000']?.auth).toBe(Buffer.from('alice:pa:ss').toString('base64'));
    expect(Object.keys(stored.auths)).toContain(DOCKER_HUB_KEY);
    expect(await loadCredentials(dir, '127.0.0.1:5000')).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(await loadCredentials(dir, 'docker.io')).toEqual({ username: 'bob', password: 'pw' });
    expect(await loadCredentials(dir, 'other:1')).toBeUndefined();
  });

  it("keeps keys it does not know and matches docker's URL-style keys", async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ psFormat: 'x', auths: { 'https://127.0.0.1:5000/v2/': { auth: Buffer.from('u:p').toString('base64'), email: 'e' } } }));
    expect(await loadCredentials(dir, '127.0.0.1:5000')).toEqual({ username: 'u', password: 'p' });
    await saveCredentials(dir, '127.0.0.1:5000', { username: 'v', password: 'q' });
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(stored).toEqual({ psFormat: 'x', auths: { '127.0.0.1:5000': { auth: Buffer.from('v:q').toString('base64') } } });
    expect(await removeCredentials(dir, '127.0.0.1:5000')).toBe(true);
    expect(await removeCredentials(dir, '127.0.0.1:5000')).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ psFormat: 'x', auths: {} });
  });

  it('refuses a config file that is not JSON, leaving it alone', async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), '{nope');
    await expect(saveCredentials(dir, 'h:1', { username: 'a', password: 'b' })).rejects.toThrow(/config.json is not valid/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{nope');
  });
});
