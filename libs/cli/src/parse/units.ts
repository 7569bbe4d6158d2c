import { invalidArgument } from '@berth/errors';

const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

// docker's go-units RAMInBytes: "4m", "512k", "1.5g", "2GiB", "100" (bytes); binary multiples.
export function parseBytes(text: string): number {
  const sep = Math.max(...Array.from('0123456789. ').map((c) => text.lastIndexOf(c)));
  if (sep < 0) throw invalidArgument(`invalid size: '${text}'`);
  const number = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  const suffix = text.slice(sep + 1).toLowerCase();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(number)) throw invalidArgument(`strconv.ParseFloat: parsing "${number}": invalid syntax`);
  const size = Number(number);
  if (size < 0) throw invalidArgument(`invalid size: '${text}'`);
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const multiplier = BINARY[suffix[0] ?? ''];
  const tailOk = suffix.length === 1 || (suffix.length === 2 && suffix[1] === 'b') || (suffix.length === 3 && suffix.slice(1) === 'ib');
  if (multiplier === undefined || !tailOk) throw invalidArgument(`invalid suffix: '${suffix}'`);
  return Math.trunc(size * multiplier);
}

// --memory-swap: like --memory, and -1 for unlimited swap.
export function parseSwapBytes(text: string): number {
  return text === '-1' ? -1 : parseBytes(text);
}

// docker's --cpus: a rational number of CPUs, as billionths of a CPU.
export function parseNanoCpus(text: string): number {
  const fraction = /^([+-]?\d+)\/(\d+)$/.exec(text);
  let nano: number;
  if (fraction) {
    nano = (Number(fraction[1]) * 1e9) / Number(fraction[2]);
  } else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    nano = Math.round(Number(text) * 1e9 * 1e6) / 1e6;
  } else {
    throw invalidArgument(`failed to parse ${text} as a rational number`);
  }
  if (!Number.isInteger(nano)) throw invalidArgument('value is too precise');
  return nano;
}

// Go's strconv.ParseInt as pflag uses it for int flags.
export function parseInteger(text: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw invalidArgument(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}
