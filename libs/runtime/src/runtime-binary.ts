import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { invalidArgument } from '@berth/errors';

export interface RuntimeBinary {
  // What the container spec asked for (or the default), as reported back in ContainerState.
  name: string;
  path: string;
}

const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// A runtime is a name looked up on PATH or an absolute path to an executable; anything else is
// the caller's mistake, reported as docker reports it.
export async function resolveRuntimeBinary(
  requested: string,
  defaultName: string,
  searchPath: string = process.env.PATH ?? '',
): Promise<RuntimeBinary> {
  const name = requested === '' ? defaultName : requested;
  const unknown = (): Error => invalidArgument(`unknown or invalid runtime name: ${name}`);
  if (isAbsolute(name)) {
    if (await isExecutableFile(name)) return { name, path: name };
    throw unknown();
  }
  if (!VALID_NAME.test(name)) throw unknown();
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return { name, path: candidate };
  }
  throw unknown();
}

// Resolutions by (requested name, PATH), kept for the shim's life: a lookup walks PATH with a
// stat and an access per directory, and the answer does not change between containers. Only
// successes are kept, so a runtime installed later is found.
export class RuntimeBinaries {
  private readonly known = new Map<string, Promise<RuntimeBinary>>();

  constructor(private readonly defaultName: string) {}

  resolve(requested: string, searchPath: string = process.env.PATH ?? ''): Promise<RuntimeBinary> {
    const key = `${requested}\0${searchPath}`;
    let found = this.known.get(key);
    if (!found) {
      found = resolveRuntimeBinary(requested, this.defaultName, searchPath);
      this.known.set(key, found);
      found.catch(() => this.known.delete(key));
    }
    return found;
  }
}
