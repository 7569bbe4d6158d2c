import { type IncomingMessage } from 'node:http';
import { BerthError, ErrorCode } from '@berth/errors';
import { isName } from '../names';
import { type AccountStore } from './accounts';
import { formatScope, parseScope, type Access, type Action } from './scope';
import { type TokenSigner } from './tokens';

export interface AuthOptions {
  accounts: AccountStore;
  tokens: TokenSigner;
  // The `service` of challenges and the audience of tokens.
  service: string;
  // The token endpoint's URL; by default `http://<Host of the request>/token`.
  realm?: string;
  // Development only: anyone may push and delete anywhere. The app accepts it on loopback only.
  allowAnonymousPush?: boolean;
}

export interface Identity {
  user?: string;
  via: 'anonymous' | 'basic' | 'bearer';
  // A bearer token's grants.
  access?: Access[];
}

// An UNAUTHENTICATED error that carries the `WWW-Authenticate` challenge to answer with.
export class AuthChallenge extends BerthError {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(ErrorCode.Unauthenticated, message);
  }
}

const HOST = /^[A-Za-z0-9.\-:[\]]{1,255}$/;
const ALL: Action[] = ['pull', 'push', 'delete'];

/*
 * Who the caller is (anonymous, Basic credentials, or a bearer token from /token) and what they
 * may do to a repository. Pull: a public repository, or the namespace's owner or org members for
 * a private one. Push and delete: the namespace's owner or its org's members only.
 */
export class Authorizer {
  constructor(readonly options: AuthOptions) {}

  // The caller's identity; bad credentials or an invalid token are refused here, not treated
  // as anonymous.
  async authenticate(req: IncomingMessage): Promise<Identity> {
    const header = req.headers.authorization;
    if (!header) return { via: 'anonymous' };
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (space > 0 && scheme === 'basic') {
      const { user, password } = decodeBasic(value);
      const verified = user !== undefined ? await this.options.accounts.verify(user, password) : undefined;
      if (!verified) throw new AuthChallenge('invalid username or password', this.challenge(req));
      return { user: verified, via: 'basic' };
    }
    if (space > 0 && scheme === 'bearer') {
      try {
        const claims = await this.options.tokens.verify(value, this.options.service);
        return { user: claims.subject, via: 'bearer', access: claims.access };
      } catch (err) {
        throw new AuthChallenge(err instanceof Error ? err.message : 'invalid token', `${this.challenge(req)},error="invalid_token"`);
      }
    }
    throw new AuthChallenge('unsupported authorization scheme', this.challenge(req));
  }

  // What `user` (undefined: anonymous) may do to `name` by the accounts, whatever a token says.
  async allowed(user: string | undefined, name: string): Promise<Action[]> {
    if (this.options.allowAnonymousPush) return ALL;
    const accounts = this.options.accounts;
    if (await accounts.canWrite(user, name)) return ALL;
    return (await accounts.visibility(name)) === 'public' ? ['pull'] : [];
  }

  // Whether this identity may do all of `actions` on `name` now.
  async permits(identity: Identity, name: string, actions: readonly Action[]): Promise<boolean> {
    if (identity.via === 'bearer') {
      const granted = new Set(identity.access?.filter((a) => a.type === 'repository' && a.name === name).flatMap((a) => a.actions));
      if (actions.every((a) => granted.has(a) || granted.has('*'))) return true;
      // Anonymous development pushes need no token at all.
      if (!this.options.allowAnonymousPush) return false;
    }
    const allowed = await this.allowed(identity.user, name);
    return actions.every((a) => allowed.includes(a));
  }

  // Refuses the request unless `identity` may do `actions` on `name`: 401 with a challenge for
  // the scope when a (new) token could help, 403 DENIED when the account itself may not.
  async require(req: IncomingMessage, identity: Identity, name: string, actions: readonly Action[]): Promise<void> {
    if (await this.permits(identity, name, actions)) return;
    const scope = formatScope(name, actions.includes('push') ? ['pull', ...actions.filter((a) => a !== 'pull')] : actions);
    const couldBeAllowed = async (): Promise<boolean> => {
      const allowed = await this.allowed(identity.user, name);
      return actions.every((a) => allowed.includes(a));
    };
    if (identity.via === 'anonymous' || (identity.via === 'bearer' && (identity.user === undefined || (await couldBeAllowed())))) {
      const error = identity.via === 'bearer' ? ',error="insufficient_scope"' : '';
      throw new AuthChallenge(`authentication required for ${scope}`, `${this.challenge(req)},scope="${scope}"${error}`);
    }
    throw new BerthError(ErrorCode.PermissionDenied, `requested access to ${name} is denied`);
  }

  // The actions a token for `user` gets for each requested scope: the requested ones it may do.
  async grant(user: string | undefined, scopes: string[]): Promise<Access[]> {
    const granted: Access[] = [];
    for (const raw of scopes) {
      for (const part of raw.split(' ')) {
        const access = parseScope(part);
        if (!access) continue;
        if (access.type === 'registry') {
          // The catalog is filtered per caller, so asking for it grants nothing more.
          if (access.name === 'catalog') granted.push({ type: 'registry', name: 'catalog', actions: ['*'] });
          continue;
        }
        if (!isName(access.name)) continue;
        const allowed = await this.allowed(user, access.name);
        const actions = access.actions.includes('*') ? allowed : access.actions.filter((a): a is Action => (allowed as string[]).includes(a));
        if (actions.length > 0) granted.push({ type: 'repository', name: access.name, actions });
      }
    }
    return granted;
  }

  challenge(req: IncomingMessage): string {
    return `Bearer realm="${this.realm(req)}",service="${this.options.service}"`;
  }

  private realm(req: IncomingMessage): string {
    if (this.options.realm) return this.options.realm;
    const host = req.headers.host;
    return `http://${host && HOST.test(host) ? host : 'localhost'}/token`;
  }
}

export function decodeBasic(value: string): { user?: string; password: string } {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return { password: '' };
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
