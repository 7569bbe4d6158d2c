import { readFileSync } from 'node:fs';
import { invalidArgument } from '@berth/errors';

export interface SecurityOptions {
  securityOpt: string[];
  // The profile file's JSON when seccomp=FILE was given: docker's client reads it, not the daemon.
  seccompProfile: string;
}

// docker's parseSecurityOpts on the client side: KEY=VALUE (or the old KEY:VALUE), a seccomp
// profile file read here. Everything else is the daemon's to validate.
export function resolveSecurityOptions(options: readonly string[], readFile: (path: string) => string = readText): SecurityOptions {
  let seccompProfile = '';
  for (const option of options) {
    const separator = option.includes('=') ? '=' : option.includes(':') ? ':' : undefined;
    if (separator === undefined) {
      if (option === 'no-new-privileges') continue;
      throw invalidArgument(`Invalid --security-opt: ${JSON.stringify(option)}`);
    }
    const key = option.slice(0, option.indexOf(separator));
    const value = option.slice(option.indexOf(separator) + 1);
    if (key === 'seccomp' && value !== 'unconfined' && value !== 'builtin' && value !== '') {
      try {
        seccompProfile = readFile(value);
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err);
        throw invalidArgument(`opening seccomp profile (${value}) failed: open ${value}: ${reason}`);
      }
    }
  }
  return { securityOpt: [...options], seccompProfile };
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
