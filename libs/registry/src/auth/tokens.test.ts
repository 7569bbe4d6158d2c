import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { ErrorCode } from '@berth/errors';
import { TokenService } from './tokens';

const AUD = 'hub.test';
const access = [{ type: 'repository', name: 'alice/app', actions: ['pull', 'push'] }];
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenService', () => {
  // Made in beforeAll, not when the file is collected: a -t filter that skips every test here
  // runs no afterAll to remove it.
  let dir = '';
  let tokens: TokenService;
  let other: TokenService;
  let token: string;
  const refused = async (t: string): Promise<void> => {
    await expect(tokens.verify(t, AUD)).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
  };
  // A token signed with `key` (default: a stranger's), with the right claims and any header.
  const forge = async (header: Record<string, unknown>, claims: Record<string, unknown> = {}, key?: KeyLike): Promise<string> => {
    const signingKey = key ?? (await generateKeyPair('ES256')).privateKey;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ access, ...claims })
      .setProtectedHeader({ alg: 'ES256', ...header })
      .setIssuer(tokens.issuer)
      .setAudience(AUD)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setSubject('alice')
      .sign(signingKey);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-tokens-'));
    tokens = await TokenService.open(join(dir, 'auth/key.pem'), 'berth-hub:test');
    other = await TokenService.open(join(dir, 'auth/other.pem'), 'berth-hub:test');
    token = (await tokens.issue('alice', AUD, access)).token;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps its key (0600) and accepts its own tokens across restarts', async () => {
    expect(statSync(join(dir, 'auth/key.pem')).mode & 0o777).toBe(0o600);
    const again = await TokenService.open(join(dir, 'auth/key.pem'), 'berth-hub:test');
    expect(await again.verify(token, AUD)).toEqual({ subject: 'alice', access });
  });

  it('refuses a token signed by another key, or with a tampered payload', async () => {
    await refused((await other.issue('alice', AUD, access)).token);
    const [h, , s] = token.split('.');
    await refused(`${h}.${b64({ iss: tokens.issuer, aud: AUD, sub: 'alice', exp: 9e9, access: [{ type: 'repository', name: 'bob/x', actions: ['push'] }] })}.${s}`);
  });

  it('refuses the wrong audience, the wrong issuer, and an expired token', async () => {
    await expect(tokens.verify(token, 'elsewhere')).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    const pem = await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const sameKeyOtherIssuer = await TokenService.fromPem(pem, 'someone-else');
    const sameKey = await TokenService.fromPem(pem, tokens.issuer);
    await expect(sameKey.verify((await sameKeyOtherIssuer.issue('alice', AUD, access)).token, AUD)).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const mine = await TokenService.fromPem(await exportPKCS8(privateKey), tokens.issuer);
    const expired = await new SignJWT({ access }).setProtectedHeader({ alg: 'ES256' }).setIssuer(tokens.issuer).setAudience(AUD).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(privateKey);
    await expect(mine.verify(expired, AUD)).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    expect((await mine.verify(await new SignJWT({ access }).setProtectedHeader({ alg: 'ES256' }).setIssuer(tokens.issuer).setAudience(AUD).setExpirationTime('1m').sign(privateKey), AUD)).access).toEqual(access);
  });

  it('refuses alg none and HMAC tokens', async () => {
    const payload = b64({ iss: tokens.issuer, aud: AUD, sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60, access });
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`);
    await refused(`${b64({ alg: 'none' })}.${payload}.${token.split('.')[2]}`);
    const hmac = await new SignJWT({ access }).setProtectedHeader({ alg: 'HS256' }).setIssuer(tokens.issuer).setAudience(AUD).setExpirationTime('1m').sign(new TextEncoder().encode('guess'));
    await refused(hmac);
  });

  it('refuses keys injected through the header (jwk, jku, x5c, x5u, a foreign kid)', async () => {
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const jwk: JWK = await exportJWK(attacker.publicKey);
    await refused(await forge({ jwk }, {}, attacker.privateKey));
    await refused(await forge({ jku: 'http://attacker.invalid/keys.json' }, {}, attacker.privateKey));
    const { privateKey: rsa } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await refused(await forge({ x5c: ['MIIB'] }, {}, rsa));
    await refused(await forge({ x5u: 'http://attacker.invalid/cert.pem' }, {}, attacker.privateKey));
    await refused(await forge({ kid: '../../other' }, {}, attacker.privateKey));
    await refused('not-a-token');
  });
});
