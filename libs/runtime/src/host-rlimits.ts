import { readFile } from 'node:fs/promises';
import type { Rlimit } from '@berth/oci-spec';

// /proc/<pid>/limits row titles -> RLIMIT_* names.
const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

function limitValue(text: string): number {
  return text === 'unlimited' ? -1 : Number(text);
}

// Parses /proc/<pid>/limits. Unlimited is -1 (what SpecInput takes for RLIM_INFINITY).
export function parseProcLimits(text: string): Rlimit[] {
  const limits: Rlimit[] = [];
  for (const line of text.split('\n')) {
    const title = Object.keys(LIMIT_NAMES).find((name) => line.startsWith(name));
    if (!title) continue;
    const [soft, hard] = line.slice(title.length).trim().split(/\s+/);
    if (soft === undefined || hard === undefined) continue;
    const softValue = limitValue(soft);
    const hardValue = limitValue(hard);
    if (Number.isNaN(softValue) || Number.isNaN(hardValue)) continue;
    limits.push({ type: LIMIT_NAMES[title] as string, soft: softValue, hard: hardValue });
  }
  return limits;
}

// Containers inherit the shim's own limits, as docker's containers inherit dockerd's: passing
// them explicitly keeps runc from trying anything above the hard limit, which it could not set
// without CAP_SYS_RESOURCE.
export async function readHostRlimits(): Promise<Rlimit[]> {
  return parseProcLimits(await readFile('/proc/self/limits', 'utf8'));
}
