import { BerthError, ErrorCode } from '@berth/errors';
import type { PullListener, PullOutcome, PullRequest, PullSuccess } from './events';
import { pullJobId } from './job-id';
import { applyEvent, emptyState, replay, type PullState } from './progress-state';

// Where pull jobs run: BullMQ in the daemon (bullmq-backend.ts), a fake in tests. `submit`
// joins the job with this ID if one is queued or running, or queues it, and settles when the
// job does; `onEvent` sees its progress (possibly repeating what was already seen).
export interface PullBackend {
  submit(jobId: string, request: PullRequest, onEvent: PullListener): Promise<PullOutcome>;
}

interface Shared {
  state: PullState;
  listeners: Set<PullListener>;
  outcome: Promise<PullOutcome>;
}

/*
 * The daemon's side of pulls. Callers asking for the same image and platform at the same time
 * share one job: in this process through `inflight`, across processes through the job ID. A
 * caller that goes away (its signal aborts) only stops listening: the job runs to the end, so
 * the image is there for the next request and no job is left half done. Ends with the job's
 * outcome, or throws the BerthError it failed with.
 */
export class PullCoordinator {
  private readonly inflight = new Map<string, Shared>();

  constructor(private readonly backend: PullBackend) {}

  // How many distinct jobs this process is waiting on (for tests and diagnostics).
  get activeJobs(): number {
    return this.inflight.size;
  }

  async pull(request: PullRequest, onEvent: PullListener, signal?: AbortSignal): Promise<PullSuccess> {
    const jobId = pullJobId(request.reference, request.platform);
    const shared = this.join(jobId, request);
    for (const event of replay(shared.state)) onEvent(event);
    shared.listeners.add(onEvent);
    try {
      const outcome = await untilAborted(shared.outcome, signal);
      if (!outcome.ok) throw new BerthError(outcome.code, outcome.message);
      const { ok: _ok, ...success } = outcome;
      return success;
    } finally {
      shared.listeners.delete(onEvent);
    }
  }

  private join(jobId: string, request: PullRequest): Shared {
    const existing = this.inflight.get(jobId);
    if (existing) return existing;
    const listeners = new Set<PullListener>();
    const shared: Shared = { state: emptyState(), listeners, outcome: Promise.resolve({ ok: false, code: ErrorCode.Internal, message: '' }) };
    const onEvent: PullListener = (event) => {
      shared.state = applyEvent(shared.state, event);
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // A listener is one client's stream; its failure is not the pull's.
        }
      }
    };
    shared.outcome = this.backend.submit(jobId, request, onEvent).finally(() => this.inflight.delete(jobId));
    // Settled here as well, so a job whose every caller left never counts as unhandled.
    shared.outcome.catch(() => undefined);
    this.inflight.set(jobId, shared);
    return shared;
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new BerthError(ErrorCode.Canceled, 'the client went away; the pull goes on'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
