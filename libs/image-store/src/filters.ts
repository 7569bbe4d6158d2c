import { invalidArgument } from '@berth/errors';
import { familiarName, familiarString, parseReference } from '@berth/reference';
import { goPathMatch } from './go-path-match';
import type { ImageRecord } from './metadata-store';

// docker's filter arguments: KEY=VALUE pairs, several values per key.
export type FilterArgs = Map<string, string[]>;

export const LIST_FILTERS = ['dangling', 'reference', 'before', 'since', 'label'] as const;
export const PRUNE_FILTERS = ['dangling', 'until', 'label', 'label!'] as const;

// Parses `--filter` values and refuses keys the command does not know, in docker's words.
export function parseFilterArgs(values: readonly string[], allowed: readonly string[]): FilterArgs {
  const args: FilterArgs = new Map();
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw invalidArgument('bad format of filter (expected name=value)');
    // `label!=a` is the key `label!`, as docker's parser reads it.
    const key = value.slice(0, eq).trim().toLowerCase();
    if (!allowed.includes(key)) throw invalidArgument(`Invalid filter '${key}'`);
    args.set(key, [...(args.get(key) ?? []), value.slice(eq + 1).trim()]);
  }
  return args;
}

// dangling=true|false (docker also takes 1/0); undefined when not given.
export function danglingFilter(args: FilterArgs): boolean | undefined {
  const values = args.get('dangling');
  if (values === undefined) return undefined;
  const parsed = new Set(
    values.map((v) => {
      if (/^(true|1)$/i.test(v)) return true;
      if (/^(false|0)$/i.test(v)) return false;
      throw invalidArgument(`Invalid filter 'dangling=[${v}]'`);
    }),
  );
  if (parsed.size > 1) throw invalidArgument(`Invalid filter 'dangling=[${values.join(' ')}]'`);
  return [...parsed][0];
}

// label=KEY or label=KEY=VALUE: every one must hold (label!: none may).
export function labelsMatch(args: FilterArgs, labels: Record<string, string>): boolean {
  const holds = (spec: string): boolean => {
    const eq = spec.indexOf('=');
    if (eq < 0) return Object.hasOwn(labels, spec);
    return labels[spec.slice(0, eq)] === spec.slice(eq + 1);
  };
  return (args.get('label') ?? []).every(holds) && !(args.get('label!') ?? []).some(holds);
}

// The tags (normalised references) a reference filter keeps: docker's FamiliarMatch, which tries
// the pattern against `name:tag` and then against the bare familiar name.
export function tagsMatchingReference(args: FilterArgs, tags: readonly string[]): string[] {
  const patterns = args.get('reference');
  if (patterns === undefined) return [...tags];
  return tags.filter((tag) => {
    const ref = parseReference(tag);
    return patterns.some((pattern) => goPathMatch(pattern, familiarString(ref)) || goPathMatch(pattern, familiarName(ref)));
  });
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// docker's until= value: a Go duration before now ("24h"), Unix seconds or an RFC 3339 time.
export function parseUntil(value: string, now: number): number {
  if (/^(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(amount) * (DURATION_UNITS[unit ?? ''] ?? 0);
    return now - ms;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(parsed)) throw invalidArgument(`failed to parse value as time or duration: "${value}"`);
  return parsed;
}

export function createdAt(record: ImageRecord): number {
  const ms = Date.parse(record.config.created ?? '');
  return Number.isNaN(ms) ? 0 : ms;
}
