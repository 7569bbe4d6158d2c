import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError, ErrorCode, isBerthError } from '@berth/errors';

export interface RetryPolicy {
  // Attempts after the first for connection errors, inactivity timeouts and 5xx answers.
  retries: number;
  // The first pause; each later one doubles, with jitter.
  backoffMs: number;
  // How long a request may go without a byte arriving before it is abandoned.
  inactivityTimeoutMs: number;
}

// Marks a failure that another attempt may cure (a dropped connection, a 503).
export class TransientError extends Error {}

/*
 * One request attempt's life: a controller that aborts when the caller aborts, and when nothing
 * has arrived for the inactivity timeout. Callers `touch()` on every chunk, so a slow but moving
 * download never times out, while a registry that stops sending is abandoned.
 */
export class Attempt {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onParentAbort = (): void => this.controller.abort(this.parent?.reason);
  timedOut = false;

  constructor(
    private readonly parent: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    parent?.addEventListener('abort', this.onParentAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new TransientError(`no data for ${this.timeoutMs / 1000}s`));
    }, this.timeoutMs);
  }

  // Ends the attempt; aborting closes a response body nobody will read.
  done(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
    this.controller.abort();
  }
}

export function canceled(signal: AbortSignal | undefined): BerthError {
  const reason: unknown = signal?.reason;
  if (isBerthError(reason)) return reason;
  return new BerthError(ErrorCode.Canceled, 'the pull was canceled');
}

// What a failed attempt means: another try, or the error to report now.
export function classify(err: unknown, attempt: Attempt, parent: AbortSignal | undefined): TransientError | Error {
  if (parent?.aborted) return canceled(parent);
  if (attempt.timedOut) return new TransientError(`no data for ${attempt.timeoutMs / 1000}s`);
  if (err instanceof TransientError) return err;
  if (isBerthError(err)) return err;
  // undici reports connection failures as TypeError("fetch failed"/"terminated") with a cause.
  // (Checked by name: undici's errors may come from another realm, e.g. under test runners.)
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
  if (e && (e.name === 'TypeError' || typeof e.code === 'string')) {
    const cause = e.cause;
    const detail = cause && typeof cause.message === 'string' ? `${cause.message}${typeof cause.code === 'string' ? ` (${cause.code})` : ''}` : String(e.message);
    return new TransientError(detail);
  }
  return err instanceof Error ? err : new Error(String(err));
}

export function backoff(policy: RetryPolicy, failures: number, signal: AbortSignal | undefined): Promise<void> {
  const base = policy.backoffMs * 2 ** (failures - 1);
  const delay = base / 2 + Math.random() * (base / 2);
  return sleep(delay, undefined, { signal }).catch(() => {
    throw canceled(signal);
  });
}

export function gaveUp(what: string, last: TransientError, attempts: number, timedOut: boolean): BerthError {
  const code = timedOut ? ErrorCode.DeadlineExceeded : ErrorCode.Unavailable;
  return new BerthError(code, `${what}: ${last.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`, { cause: last });
}

// Runs `fn` until it succeeds, fails for good, or has used every retry.
export async function withRetries<T>(policy: RetryPolicy, signal: AbortSignal | undefined, what: string, fn: (attempt: Attempt) => Promise<T>): Promise<T> {
  for (let failures = 0; ; ) {
    if (signal?.aborted) throw canceled(signal);
    const attempt = new Attempt(signal, policy.inactivityTimeoutMs);
    try {
      return await fn(attempt);
    } catch (err) {
      const outcome = classify(err, attempt, signal);
      if (!(outcome instanceof TransientError)) throw outcome;
      failures++;
      if (failures > policy.retries) throw gaveUp(what, outcome, failures, attempt.timedOut);
      await backoff(policy, failures, signal);
    } finally {
      attempt.done();
    }
  }
}
