import { createHash } from 'node:crypto';
import { normalizeReference } from '@berth/reference';

/*
 * The job that pulls `reference` for `platform`. Requests that name the same image (`busybox`,
 * `busybox:latest` and `docker.io/library/busybox:latest` alike) for the same platform get the
 * same ID, which is what makes them share one job. Hashed because BullMQ refuses custom IDs
 * with a colon, which every normalised reference has.
 */
export function pullJobId(reference: string, platform: string): string {
  const key = `${normalizeReference(reference)}\n${platform.trim().toLowerCase()}`;
  return `pull-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
