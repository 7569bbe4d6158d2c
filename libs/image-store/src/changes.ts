import { invalidArgument } from '@berth/errors';
import type { OciImageConfigSection } from './oci';

// The Dockerfile instructions `docker import --change` accepts.
function jsonOrShell(value: string): string[] {
  if (value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed as string[];
    } catch {
      // Not JSON: docker then treats it as a shell form.
    }
  }
  return ['/bin/sh', '-c', value];
}

function listOrWords(value: string): string[] {
  const form = jsonOrShell(value);
  return form[0] === '/bin/sh' && form[1] === '-c' ? value.split(/\s+/) : form;
}

function keyValues(value: string): Array<[string, string]> {
  const trimmed = value.trim();
  if (!trimmed.includes('=')) {
    const space = trimmed.indexOf(' ');
    if (space < 0) throw invalidArgument(`invalid change: ${value}: want KEY=VALUE`);
    return [[trimmed.slice(0, space), trimmed.slice(space + 1).trim()]];
  }
  return trimmed.split(/\s+/).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw invalidArgument(`invalid change: ${value}: want KEY=VALUE`);
    return [pair.slice(0, at), pair.slice(at + 1).replace(/^"(.*)"$/, '$1')];
  });
}

export function applyChanges(changes: readonly string[], config: OciImageConfigSection = {}): OciImageConfigSection {
  const result: OciImageConfigSection = { ...config };
  for (const change of changes) {
    const match = /^\s*(\w+)\s+([\s\S]*)$/.exec(change);
    if (!match) throw invalidArgument(`invalid change: ${JSON.stringify(change)}`);
    const instruction = (match[1] as string).toUpperCase();
    const value = (match[2] as string).trim();
    switch (instruction) {
      case 'CMD':
        result.Cmd = jsonOrShell(value);
        break;
      case 'ENTRYPOINT':
        result.Entrypoint = jsonOrShell(value);
        break;
      case 'ENV':
        for (const [key, val] of keyValues(value)) {
          result.Env = [...(result.Env ?? []).filter((e) => !e.startsWith(`${key}=`)), `${key}=${val}`];
        }
        break;
      case 'LABEL':
        result.Labels = { ...(result.Labels ?? {}), ...Object.fromEntries(keyValues(value)) };
        break;
      case 'WORKDIR':
        result.WorkingDir = value;
        break;
      case 'USER':
        result.User = value;
        break;
      case 'STOPSIGNAL':
        result.StopSignal = value;
        break;
      case 'EXPOSE':
        result.ExposedPorts = { ...(result.ExposedPorts ?? {}), ...Object.fromEntries(value.split(/\s+/).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) };
        break;
      case 'VOLUME':
        result.Volumes = { ...(result.Volumes ?? {}), ...Object.fromEntries(listOrWords(value).map((v) => [v, {}])) };
        break;
      default:
        throw invalidArgument(`${instruction} is not a valid change command`);
    }
  }
  return result;
}
