import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BerthError, ErrorCode } from '@berth/errors';

/*
 * ~/.berth/config.json (or $BERTH_CONFIG/config.json), in docker's format:
 *   {"auths": {"127.0.0.1:5000": {"auth": "base64(user:password)"}}}
 * Keys Berth does not know are kept as they are. The directory is 0700 and the file 0600, and it
 * is replaced atomically, so a crash never leaves half a file.
 */
export interface StoredCredentials {
  username: string;
  password: string;
}

type ConfigFile = Record<string, unknown> & { auths?: Record<string, Record<string, unknown>> };

// Docker Hub's key, as docker writes it.
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.BERTH_CONFIG || join(env.HOME || homedir(), '.berth');
}

// The key a registry's credentials are stored under: docker.io → Docker Hub's URL, else host[:port].
export function serverKey(domain: string): string {
  return domain === 'docker.io' ? DOCKER_HUB_KEY : domain;
}

// `https://host:5000/v2/` and `host:5000` name the same registry.
function normalizeKey(key: string): string {
  if (key === DOCKER_HUB_KEY) return key;
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

async function readConfig(dir: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(join(dir, 'config.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as ConfigFile;
  } catch (err) {
    throw new BerthError(ErrorCode.InvalidArgument, `${join(dir, 'config.json')} is not valid: ${(err as Error).message}`);
  }
}

async function writeConfig(dir: string, config: ConfigFile): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temp = join(dir, `.config.json.${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(temp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600, flush: true });
    await rename(temp, join(dir, 'config.json'));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function entryKey(config: ConfigFile, domain: string): string | undefined {
  const wanted = serverKey(domain);
  return Object.keys(config.auths ?? {}).find((key) => normalizeKey(key) === normalizeKey(wanted));
}

export async function loadCredentials(dir: string, domain: string): Promise<StoredCredentials | undefined> {
  const config = await readConfig(dir);
  const key = entryKey(config, domain);
  const auth = key ? config.auths?.[key]?.auth : undefined;
  if (typeof auth !== 'string' || auth === '') return undefined;
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function saveCredentials(dir: string, domain: string, credentials: StoredCredentials): Promise<void> {
  const config = await readConfig(dir);
  const auths = { ...(config.auths ?? {}) };
  const existing = entryKey(config, domain);
  if (existing) delete auths[existing];
  auths[serverKey(domain)] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
  await writeConfig(dir, { ...config, auths });
}

// Whether there was anything to remove.
export async function removeCredentials(dir: string, domain: string): Promise<boolean> {
  const config = await readConfig(dir);
  const key = entryKey(config, domain);
  if (!key) return false;
  const auths = { ...(config.auths ?? {}) };
  delete auths[key];
  await writeConfig(dir, { ...config, auths });
  return true;
}
