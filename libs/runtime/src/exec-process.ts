import { readFile } from 'node:fs/promises';
import { internal } from '@berth/errors';
import { defaultEnv, normalizeCapabilities, RLIM_INFINITY, type OciProcess, type OciSpec, type UserIds } from '@berth/oci-spec';
import type { types } from '@berth/proto';

// The process.json for `runc exec --process`: the container's own process settings (rlimits,
// capabilities, no_new_privileges...) with the exec's command, environment, directory, user and
// terminal. A privileged exec gets every capability the shim holds, as docker's does.
export function execProcess(base: OciProcess, open: types.ExecOpen, user: UserIds | undefined, hostCapabilities: readonly string[]): OciProcess {
  const processSpec: OciProcess = {
    ...base,
    terminal: open.tty,
    args: [...open.args],
    env: defaultEnv([...base.env, ...open.env], open.tty),
    cwd: open.cwd || base.cwd,
    user: user ? { uid: user.uid, gid: user.gid, additionalGids: [...new Set([user.gid, ...user.additionalGids])] } : base.user,
  };
  delete processSpec.consoleSize;
  if (open.tty && open.size && open.size.rows > 0 && open.size.cols > 0) {
    processSpec.consoleSize = { height: open.size.rows, width: open.size.cols };
  }
  if (open.privileged) {
    const all = normalizeCapabilities([], [], true, hostCapabilities);
    processSpec.capabilities = { bounding: all, effective: all, permitted: all, inheritable: [], ambient: [] };
  }
  return processSpec;
}

// config.json as written by serializeSpec. Unlimited rlimits (2^64-1, beyond a JS number) come
// back as the model's RLIM_INFINITY.
export async function readBundleSpec(configPath: string): Promise<OciSpec> {
  let spec: OciSpec;
  try {
    spec = JSON.parse(await readFile(configPath, 'utf8')) as OciSpec;
  } catch (err) {
    throw internal(`cannot read ${configPath}`, err);
  }
  for (const limit of spec.process.rlimits ?? []) {
    limit.soft = Math.min(limit.soft, RLIM_INFINITY);
    limit.hard = Math.min(limit.hard, RLIM_INFINITY);
  }
  return spec;
}
