import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileIfExists, writeFileAtomic } from '../auth/atomic-file';

export const SESSION_COOKIE = 'berth_hub_session';
const SESSION_TTL_S = 12 * 3600;
const KEY_BYTES = 32;

/*
 * The web UI's sign-in: a cookie holding the user and an expiry, signed with HMAC-SHA256 under a
 * key kept beside the token key, so every Hub process on the root accepts the others' sessions.
 * HttpOnly (no script reads it) and SameSite=Strict (no other site's page sends it).
 */
export class Sessions {
  constructor(private readonly key: Buffer) {}

  // The key at `path`, created (0600) on first use.
  static async open(path: string): Promise<Sessions> {
    const existing = await readFileIfExists(path);
    if (existing && existing.length >= KEY_BYTES) return new Sessions(existing);
    await writeFileAtomic(path, randomBytes(KEY_BYTES));
    // Another process may have written its key at the same moment: use whichever won.
    return new Sessions((await readFileIfExists(path)) ?? randomBytes(KEY_BYTES));
  }

  issue(user: string, now = Date.now()): string {
    const payload = Buffer.from(JSON.stringify({ u: user, exp: Math.floor(now / 1000) + SESSION_TTL_S })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  // The user of a valid, unexpired session value; undefined for anything else.
  verify(value: string | undefined, now = Date.now()): string | undefined {
    if (!value) return undefined;
    const [payload, signature, extra] = value.split('.');
    if (!payload || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u?: unknown; exp?: unknown };
      if (typeof claims.u !== 'string' || typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
      return claims.u;
    } catch {
      return undefined;
    }
  }

  setCookie(user: string): string {
    return `${SESSION_COOKIE}=${this.issue(user)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_S}`;
  }

  static clearCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
