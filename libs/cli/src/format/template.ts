import { invalidArgument } from '@berth/errors';

// A small subset of Go's text/template, enough for docker's common --format strings:
// {{.Field}}, {{.A.B}}, {{json .}}, {{json .Field}}, {{index .Map "key"}}, {{upper/lower .X}},
// {{join .List ","}}, and the escapes \t and \n.
export type TemplateValue = unknown;

type Segment = { text: string } | { action: string };

function segments(template: string): Segment[] {
  const parts: Segment[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      parts.push({ text: rest });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open);
    if (close < 0) throw invalidArgument(`template parsing error: unclosed action in ${JSON.stringify(template)}`);
    parts.push({ action: rest.slice(open + 2, close).replace(/^-\s*/, '').replace(/\s*-$/, '').trim() });
    rest = rest.slice(close + 2);
  }
  return parts;
}

function tokenize(action: string): string[] {
  return action.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function lookup(data: TemplateValue, path: string): TemplateValue {
  if (path === '.') return data;
  if (!path.startsWith('.')) throw invalidArgument(`template: unsupported expression ${path}`);
  let value: TemplateValue = data;
  for (const key of path.slice(1).split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    if (!(key in value)) throw invalidArgument(`template: can't evaluate field ${key}`);
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function argument(data: TemplateValue, token: string): TemplateValue {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  return lookup(data, token);
}

// How Go prints a value with {{.X}}: maps as map[k:v], lists as [a b], nil as <no value>.
export function goPrint(value: TemplateValue): string {
  if (value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goPrint).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `map[${entries.map(([k, v]) => `${k}:${goPrint(v)}`).join(' ')}]`;
  }
  return String(value);
}

function evaluate(data: TemplateValue, action: string): string {
  const [head, ...args] = tokenize(action);
  if (head === undefined) return '';
  switch (head) {
    case 'json':
      return JSON.stringify(argument(data, args[0] ?? '.') ?? null);
    case 'index': {
      const container = argument(data, args[0] ?? '.');
      const key = argument(data, args[1] ?? '""');
      const value = container !== null && typeof container === 'object' ? (container as Record<string, unknown>)[String(key)] : undefined;
      return value === undefined ? '<no value>' : goPrint(value);
    }
    case 'upper':
      return goPrint(argument(data, args[0] ?? '.')).toUpperCase();
    case 'lower':
      return goPrint(argument(data, args[0] ?? '.')).toLowerCase();
    case 'join': {
      const list = argument(data, args[0] ?? '.');
      const separator = String(argument(data, args[1] ?? '""'));
      return Array.isArray(list) ? list.map(goPrint).join(separator) : goPrint(list);
    }
    default:
      if (args.length > 0) throw invalidArgument(`template: function "${head}" not defined`);
      return goPrint(lookup(data, head));
  }
}

export function unescapeFormat(format: string): string {
  return format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

export function renderTemplate(template: string, data: TemplateValue): string {
  return segments(unescapeFormat(template))
    .map((part) => ('text' in part ? part.text : evaluate(data, part.action)))
    .join('');
}

// The field names a template refers to, in order: for headers of `table` formats.
export function templateFields(template: string): string[] {
  return segments(template).flatMap((part) => {
    if (!('action' in part)) return [];
    const path = tokenize(part.action).find((token) => token.startsWith('.'));
    return path === undefined || path === '.' ? [] : [path.slice(1)];
  });
}
