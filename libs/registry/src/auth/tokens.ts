import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, jwtVerify, SignJWT, type KeyLike } from 'jose';
import { BerthError, ErrorCode, errorMessageOf } from '@berth/errors';
import { readFileIfExists, writeFileAtomic } from './atomic-file';
import { type Access } from './scope';

const ALG = 'ES256';
export const TOKEN_TTL_S = 300;
// Header parameters that name or carry a verification key. The only key is ours, so a token
// that brings its own (or points at one elsewhere) is refused outright.
const KEY_HEADERS = ['jwk', 'jku', 'x5c', 'x5u', 'x5t', 'x5t#S256'];

export interface TokenClaims {
  subject: string | undefined;
  access: Access[];
}

export interface TokenSigner {
  issue(subject: string | undefined, audience: string, access: Access[]): Promise<{ token: string; expiresIn: number; issuedAt: string }>;
  verify(token: string, audience: string): Promise<TokenClaims>;
}

/*
 * Signs and verifies the Hub's bearer tokens (ES256 JWTs in docker's token format) with one key
 * pair, generated on first start and kept as PKCS#8 PEM (0600) in the storage root, so every Hub
 * process serving that root accepts the others' tokens. `kid` is the key's RFC 7638 thumbprint.
 */
export class TokenService implements TokenSigner {
  private constructor(
    private readonly privateKey: KeyLike,
    private readonly publicKey: KeyLike,
    private readonly kid: string,
    readonly issuer: string,
  ) {}

  static async open(keyPath: string, issuer: string): Promise<TokenService> {
    let pem = (await readFileIfExists(keyPath))?.toString('utf8');
    if (pem === undefined) {
      const { privateKey } = await generateKeyPair(ALG, { extractable: true });
      await writeFileAtomic(keyPath, await exportPKCS8(privateKey));
      // Two processes starting at once may both generate; the rename makes one win, and both use
      // whatever is in the file now.
      pem = (await readFileIfExists(keyPath))?.toString('utf8') ?? '';
    }
    return TokenService.fromPem(pem, issuer);
  }

  static async fromPem(pem: string, issuer: string): Promise<TokenService> {
    const privateKey = await importPKCS8(pem, ALG, { extractable: true });
    // On Node, jose's keys are KeyObjects.
    const publicKey = createPublicKey(privateKey as KeyObject);
    return new TokenService(privateKey, publicKey, await calculateJwkThumbprint(await exportJWK(publicKey)), issuer);
  }

  async issue(subject: string | undefined, audience: string, access: Access[]): Promise<{ token: string; expiresIn: number; issuedAt: string }> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ access })
      .setProtectedHeader({ alg: ALG, typ: 'JWT', kid: this.kid })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now - 1)
      .setExpirationTime(now + TOKEN_TTL_S)
      .setJti(randomUUID())
      .setSubject(subject ?? '');
    return { token: await jwt.sign(this.privateKey), expiresIn: TOKEN_TTL_S, issuedAt: new Date(now * 1000).toISOString() };
  }

  // The token's subject and access, or UNAUTHENTICATED for anything not signed by our key for
  // this audience, still valid, with ES256 only (so `alg: none` and HMAC-with-the-public-key fail).
  async verify(token: string, audience: string): Promise<TokenClaims> {
    const refuse = (why: string): BerthError => new BerthError(ErrorCode.Unauthenticated, `invalid token: ${why}`);
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw refuse('malformed');
    }
    if (KEY_HEADERS.some((h) => h in header)) throw refuse('keys in the header are not accepted');
    if (header.kid !== undefined && header.kid !== this.kid) throw refuse('unknown key');
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { algorithms: [ALG], issuer: this.issuer, audience, clockTolerance: 5 });
      const access = Array.isArray(payload.access) ? (payload.access as unknown[]).filter(isAccess) : [];
      return { subject: typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined, access };
    } catch (err) {
      throw refuse(errorMessageOf(err));
    }
  }
}

function isAccess(value: unknown): value is Access {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.name === 'string' && Array.isArray(v.actions) && v.actions.every((a) => typeof a === 'string');
}
