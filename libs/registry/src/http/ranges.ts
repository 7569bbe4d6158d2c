import { BerthError, ErrorCode } from '@berth/errors';

export interface ByteRange {
  start: number;
  end: number;
}

const unsatisfiable = (message: string): BerthError => new BerthError(ErrorCode.RangeNotSatisfiable, message);

// A GET's `Range: bytes=a-b | a- | -n` against content of `size` bytes (RFC 9110). Several
// ranges or another unit are legal to ignore, so the whole content is served.
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(`range ${header} outside ${size} bytes`);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) throw unsatisfiable(`range ${header} outside ${size} bytes`);
  return { start, end };
}

// An upload chunk's `Content-Range: <start>-<end>` (the spec's form; a `bytes ` prefix and a
// `/total` suffix are tolerated).
export function parseContentRange(header: string | undefined): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) throw unsatisfiable(`malformed Content-Range ${JSON.stringify(header.slice(0, 100))}`);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) throw unsatisfiable(`invalid Content-Range ${header}`);
  return { start, end };
}
