import type { RedisOptions } from 'ioredis';

// The queue every pull goes through. Each stack has its own Redis, so one fixed name serves;
// tests pass their own so that runs never see each other's jobs.
export const DEFAULT_PULL_QUEUE = 'berth-pulls';

// A Redis address as the services take it: a unix socket path, or redis://host:port.
export function redisOptions(address: string): RedisOptions {
  // BullMQ's blocking connections (workers, queue events) must retry forever, not fail a request.
  const base: RedisOptions = { maxRetriesPerRequest: null };
  if (!address.includes('://')) return { ...base, path: address };
  const url = new URL(address);
  return { ...base, host: url.hostname, port: Number(url.port || 6379), ...(url.password ? { password: decodeURIComponent(url.password) } : {}) };
}
