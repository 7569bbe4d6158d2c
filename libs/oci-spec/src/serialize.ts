import type { OciProcess, OciSpec } from './oci-types';
import { RLIM_INFINITY } from './rlimits';

const KERNEL_RLIM_INFINITY = '18446744073709551615';

// config.json text for runc. Prefer this to JSON.stringify: it writes unlimited rlimits as the
// kernel's RLIM_INFINITY, which no JS number can represent.
export function serializeSpec(spec: OciSpec): string {
  return withKernelInfinity(JSON.stringify(spec, null, 2));
}

// The same for a process.json given to `runc exec --process`.
export function serializeProcess(process: OciProcess): string {
  return withKernelInfinity(JSON.stringify(process, null, 2));
}

function withKernelInfinity(json: string): string {
  const marker = new RegExp(`("(?:soft|hard)": )${RLIM_INFINITY}\\b`, 'g');
  return json.replace(marker, `$1${KERNEL_RLIM_INFINITY}`);
}
