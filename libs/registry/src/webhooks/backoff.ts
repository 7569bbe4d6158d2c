// Retries of a failed delivery: attempt n+1 waits base·2^(n-1), capped, so a receiver that is
// down for a minute still gets the event and one that is gone costs few requests.
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 1000, maxMs: 10 * 60_000 };

// The wait after `attemptsMade` failed attempts (1 after the first).
export function retryDelayMs(attemptsMade: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  const exponent = Math.max(0, attemptsMade - 1);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 30));
}
