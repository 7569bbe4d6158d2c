import { readFileSync } from 'node:fs';
import { invalidArgument } from '@berth/errors';

type Environment = Readonly<Record<string, string | undefined>>;

// docker's opts.ValidateEnv: "K=V" as is, "K" takes K's value from the client's environment
// when it has one (otherwise it is passed on bare, which unsets it).
export function resolveEnv(entry: string, env: Environment): string {
  const at = entry.indexOf('=');
  const key = at < 0 ? entry : entry.slice(0, at);
  if (key === '') throw invalidArgument(`invalid environment variable: ${entry}`);
  if (at >= 0) return entry;
  const value = env[key];
  return value === undefined ? entry : `${key}=${value}`;
}

// docker's opts.ParseEnvFile: one variable per line, # comments, "K" alone copies K from the
// client's environment (and is skipped when it has none).
export function parseEnvFileContent(content: string, env: Environment): string[] {
  const lines: string[] = [];
  content
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw) => {
      const line = raw.replace(/^[ \t]+/, '');
      if (line === '' || line.startsWith('#')) return;
      const at = line.indexOf('=');
      const name = at < 0 ? line : line.slice(0, at);
      if (name === '') throw invalidArgument(`no variable name on line '${line}'`);
      if (/[ \t\n\v\f\r]/.test(name)) throw invalidArgument(`variable '${name}' contains whitespaces`);
      if (at >= 0) lines.push(line);
      else if (env[name] !== undefined) lines.push(`${name}=${env[name]}`);
    });
  return lines;
}

export function readEnvFile(path: string, env: Environment): string[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalidArgument(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)}`);
  }
  return parseEnvFileContent(content, env);
}

// -l KEY=VALUE or -l KEY (empty value), later ones win.
export function parseLabels(entries: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const key = at < 0 ? entry : entry.slice(0, at);
    if (key === '') throw invalidArgument(`invalid label '${entry}': empty name`);
    labels[key] = at < 0 ? '' : entry.slice(at + 1);
  }
  return labels;
}
