import { invalidArgument } from '@berth/errors';
import type { daemon } from '@berth/proto';

type Predicate = (container: daemon.Container) => boolean;

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function labelMatches(labels: Record<string, string>, wanted: string): boolean {
  const [key, value] = wanted.includes('=') ? [wanted.slice(0, wanted.indexOf('=')), wanted.slice(wanted.indexOf('=') + 1)] : [wanted, undefined];
  return key in labels && (value === undefined || labels[key] === value);
}

function predicate(key: string, value: string): Predicate {
  switch (key) {
    case 'id':
      return (c) => c.id.startsWith(value);
    case 'name':
      return (c) => c.name.replace(/^\//, '').includes(value.replace(/^\//, ''));
    case 'status':
      if (!STATUSES.includes(value)) throw invalidArgument(`invalid filter 'status=${value}'`);
      return (c) => c.state?.status === value;
    case 'label':
      return (c) => labelMatches(c.config?.labels ?? {}, value);
    case 'exited': {
      const code = Number(value);
      if (!Number.isInteger(code)) throw invalidArgument(`invalid filter 'exited=${value}'`);
      return (c) => c.state?.status === 'exited' && c.state.exitCode === code;
    }
    case 'ancestor':
      return (c) => c.image === value || c.imageId === value || c.imageId.startsWith(`sha256:${value}`);
    default:
      throw invalidArgument(`invalid filter '${key}'`);
  }
}

// docker's ps filters: the same key ORs its values, different keys AND together.
export function containerFilter(filters: readonly string[]): Predicate {
  const byKey = new Map<string, Predicate[]>();
  for (const filter of filters) {
    const at = filter.indexOf('=');
    if (at <= 0) throw invalidArgument(`bad format of filter (expected name=value): ${filter}`);
    const key = filter.slice(0, at);
    byKey.set(key, [...(byKey.get(key) ?? []), predicate(key, filter.slice(at + 1))]);
  }
  return (container) => [...byKey.values()].every((alternatives) => alternatives.some((p) => p(container)));
}
