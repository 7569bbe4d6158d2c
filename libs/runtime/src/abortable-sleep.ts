// How often a monitor that keeps no socket open is checked for having gone.
export const MONITOR_POLL_MS = 1000;

// Resolves after `ms`, or at once when `signal` aborts (never rejects).
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
