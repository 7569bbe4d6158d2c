import { invalidArgument } from '@berth/errors';
import type { Rlimit } from './input';
import type { PosixRlimit } from './oci-types';

const RLIMIT_TYPES = [
  'RLIMIT_AS', 'RLIMIT_CORE', 'RLIMIT_CPU', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_LOCKS',
  'RLIMIT_MEMLOCK', 'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_NOFILE', 'RLIMIT_NPROC', 'RLIMIT_RSS',
  'RLIMIT_RTPRIO', 'RLIMIT_RTTIME', 'RLIMIT_SIGPENDING', 'RLIMIT_STACK',
];

// Marks an unlimited rlimit in the model. The kernel's RLIM_INFINITY is 2^64-1, which a JS number
// cannot hold; serializeSpec writes it exactly, and a plain JSON.stringify still gives runc a
// finite limit far beyond any real use. Inputs of -1 or Infinity also mean unlimited.
export const RLIM_INFINITY = Number.MAX_SAFE_INTEGER;

// Normalises names (nofile -> RLIMIT_NOFILE), keeps the last entry per type, and clamps each
// soft limit to its hard limit: setrlimit fails with EINVAL otherwise.
export function toPosixRlimits(rlimits: readonly Rlimit[]): PosixRlimit[] {
  const byType = new Map<string, PosixRlimit>();
  for (const limit of rlimits) {
    const upper = limit.type.trim().toUpperCase();
    const type = upper.startsWith('RLIMIT_') ? upper : `RLIMIT_${upper}`;
    if (!RLIMIT_TYPES.includes(type)) throw invalidArgument(`invalid rlimit type: ${limit.type}`);
    const hard = limitValue(limit.hard, type);
    const soft = Math.min(limitValue(limit.soft, type), hard);
    byType.set(type, { type, soft, hard });
  }
  return [...byType.values()];
}

function limitValue(value: number, type: string): number {
  if (value === -1 || value === Infinity || value >= RLIM_INFINITY) return RLIM_INFINITY;
  if (!Number.isInteger(value) || value < 0) throw invalidArgument(`invalid ${type} value: ${value}`);
  return value;
}
