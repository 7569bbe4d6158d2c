import { invalidArgument } from '@berth/errors';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CONTROL_PUNCTUATION: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

// docker's term.ToBytes: "ctrl-p,ctrl-q", "a,ctrl-@", ... to the bytes a terminal sends.
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const ctrl = /^ctrl-(.)$/i.exec(key);
    const char = ctrl?.[1]?.toLowerCase();
    if (char !== undefined) {
      if (char >= 'a' && char <= 'z') return char.charCodeAt(0) - 96;
      const punctuation = CONTROL_PUNCTUATION[char];
      if (punctuation !== undefined) return punctuation;
    }
    throw invalidArgument(`Invalid detach keys (${spec}) provided`);
  });
}
