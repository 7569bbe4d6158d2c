// Docker's token-auth vocabulary: an action on a resource (`repository:alice/app:pull,push`) and
// the `access` claim a token carries (https://distribution.github.io/distribution/spec/auth/jwt/).
export type Action = 'pull' | 'push' | 'delete';

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

const ACTIONS: readonly string[] = ['pull', 'push', 'delete', '*'];

// Parses one `scope` parameter; unknown resource types and malformed scopes are dropped, as a
// token server grants nothing for what it does not understand.
export function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => ACTIONS.includes(a));
  if ((type !== 'repository' && type !== 'registry') || name === '' || actions.length === 0) return undefined;
  return { type, name, actions: [...new Set(actions)] };
}

export const formatScope = (name: string, actions: readonly string[]): string => `repository:${name}:${actions.join(',')}`;
