export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// Docker's container environment: PATH, HOSTNAME and (with a tty) TERM=xterm first, then the
// container's own entries, each replacing a default of the same name or appended. A bare "NAME"
// (no "=") removes that variable. Idempotent, so callers may apply it more than once.
export function defaultEnv(env: string[], tty: boolean, hostname?: string): string[] {
  const defaults = [`PATH=${DEFAULT_PATH}`];
  if (hostname) defaults.push(`HOSTNAME=${hostname}`);
  if (tty) defaults.push('TERM=xterm');

  const byName = new Map<string, string | undefined>();
  for (const entry of [...defaults, ...env]) {
    const eq = entry.indexOf('=');
    if (eq < 0) byName.set(entry, undefined);
    else byName.set(entry.slice(0, eq), entry);
  }
  return [...byName.values()].filter((entry): entry is string => entry !== undefined);
}
