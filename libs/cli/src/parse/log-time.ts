import { invalidArgument } from '@berth/errors';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// docker logs --since/--until: RFC 3339, a Unix timestamp, or a Go duration before now ("42m").
export function parseLogTime(value: string, now: number): string {
  if (value === '') return '';
  if (/^(\d+(\.\d*)?[a-zµ]+)+$/.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d*)?)([a-zµ]+)/g)) {
      const scale = UNITS[unit ?? ''];
      if (scale === undefined) throw invalidArgument(`time: unknown unit "${unit}" in duration "${value}"`);
      ms += Number(amount) * scale;
    }
    return new Date(now - ms).toISOString();
  }
  if (/^\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000).toISOString();
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw invalidArgument(`invalid value for "since": failed to parse value as time or duration: "${value}"`);
  return new Date(parsed).toISOString();
}
