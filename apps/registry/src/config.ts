import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// What a `--config FILE` may set (JSON or YAML; JSON is YAML). Flags on the command line win.
export interface HubConfig {
  addr?: string;
  root?: string;
  redis?: string;
  allowAnonymousPush?: boolean;
  // Token settings: the service name tokens are issued for and the realm clients are sent to.
  service?: string;
  realm?: string;
  gcInterval?: number;
  gcGrace?: number;
}

const STRING_KEYS = ['addr', 'root', 'redis', 'service', 'realm'] as const;
const NUMBER_KEYS = ['gcInterval', 'gcGrace'] as const;
const KNOWN = new Set<string>([...STRING_KEYS, ...NUMBER_KEYS, 'allowAnonymousPush']);

// Unknown keys and wrong types are refused, so a typo never silently falls back to a default.
export function parseHubConfig(text: string, source: string): HubConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source}: want a mapping of settings`);
  const entries = raw as Record<string, unknown>;
  const config: HubConfig = {};
  for (const [key, value] of Object.entries(entries)) {
    if (!KNOWN.has(key)) throw new Error(`${source}: unknown setting ${JSON.stringify(key)} (known: ${[...KNOWN].join(', ')})`);
    const want = (STRING_KEYS as readonly string[]).includes(key) ? 'string' : (NUMBER_KEYS as readonly string[]).includes(key) ? 'number' : 'boolean';
    if (typeof value !== want || (want === 'number' && !(Number.isInteger(value) && (value as number) >= 0))) {
      throw new Error(`${source}: ${key} wants a ${want === 'number' ? 'whole number of seconds' : want}`);
    }
  }
  for (const key of STRING_KEYS) if (entries[key] !== undefined) config[key] = entries[key] as string;
  for (const key of NUMBER_KEYS) if (entries[key] !== undefined) config[key] = entries[key] as number;
  if (entries.allowAnonymousPush !== undefined) config.allowAnonymousPush = entries.allowAnonymousPush as boolean;
  return config;
}

export function loadHubConfig(file: string | undefined): HubConfig {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--config ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseHubConfig(text, file);
}
