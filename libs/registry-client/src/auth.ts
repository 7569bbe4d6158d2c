import { BerthError, ErrorCode } from '@berth/errors';

// What the caller knows about a registry: a user name and password (or token as password), or
// an identity token from a previous login.
export interface Credentials {
  username?: string;
  password?: string;
  identityToken?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/*
 * Parses a WWW-Authenticate header (RFC 7235): one or more `Scheme k=v, k="v"` challenges.
 * A bare token that is not followed by `=` starts the next challenge.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  const re = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*))?\s*,?/gy;
  let current: Challenge | undefined;
  let match: RegExpExecArray | null;
  while (re.lastIndex < header.length && (match = re.exec(header)) !== null) {
    if (match[0] === '') break;
    const [, token, raw] = match as unknown as [string, string, string | undefined];
    if (raw === undefined) {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (current) current.params[token.toLowerCase()] = value;
  }
  return out;
}

export interface TokenResponse {
  token: string;
  expiresAt: number;
}

// Reads a token server's answer (distribution's token spec; OAuth servers say access_token).
export function readTokenResponse(body: unknown, now: number): TokenResponse {
  const b = body as { token?: unknown; access_token?: unknown; expires_in?: unknown };
  const token = typeof b?.token === 'string' && b.token ? b.token : typeof b?.access_token === 'string' ? b.access_token : '';
  if (!token) throw new BerthError(ErrorCode.Unauthenticated, 'the registry token server sent no token');
  const seconds = typeof b.expires_in === 'number' && b.expires_in > 0 ? b.expires_in : 60;
  // Renew a little early so a token never expires mid-request.
  return { token, expiresAt: now + Math.max(seconds - 10, 5) * 1000 };
}

export function basicAuthorization(credentials: Credentials): string | undefined {
  if (credentials.username === undefined || credentials.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
