import { invalidArgument } from '@berth/errors';

/*
 * Go's path.Match, which docker's reference filters use: `*` is any run of characters but `/`,
 * `?` one character but `/`, `[...]` a class (`^` negates, `a-z` ranges), `\` escapes. The
 * whole name must match. A malformed pattern is refused with Go's words.
 */
export function goPathMatch(pattern: string, name: string): boolean {
  return compile(pattern).test(name);
}

const SYNTAX = 'syntax error in pattern';

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(char) ? `\\${char}` : char;
}

function compile(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let source = '';
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i] as string;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '\\') {
      i += 1;
      if (i >= chars.length) throw invalidArgument(SYNTAX);
      source += escapeRegExp(chars[i] as string);
    } else if (char === '[') {
      const parsed = parseClass(chars, i + 1);
      source += parsed.source;
      i = parsed.end;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`);
}

// A class from just after `[` to its `]`; returns its RegExp form and the index of `]`.
function parseClass(chars: string[], start: number): { source: string; end: number } {
  let i = start;
  let negate = false;
  if (chars[i] === '^') {
    negate = true;
    i += 1;
  }
  const readChar = (): string => {
    let char = chars[i];
    if (char === '-' || char === ']') throw invalidArgument(SYNTAX);
    if (char === '\\') {
      i += 1;
      char = chars[i];
    }
    if (char === undefined) throw invalidArgument(SYNTAX);
    i += 1;
    return char;
  };
  let body = '';
  let first = true;
  for (;;) {
    if (i >= chars.length) throw invalidArgument(SYNTAX);
    if (chars[i] === ']' && !first) break;
    first = false;
    const low = readChar();
    let high = low;
    if (chars[i] === '-') {
      i += 1;
      high = readChar();
      if (high < low) throw invalidArgument(SYNTAX);
    }
    body += low === high ? escapeRegExp(low) : `${escapeRegExp(low)}-${escapeRegExp(high)}`;
  }
  return { source: `[${negate ? '^' : ''}${body}]`, end: i };
}
