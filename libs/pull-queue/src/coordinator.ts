import { BerthError, ErrorCode } from '@berth/errors';
import type { PullListener, PullOutcome, PullRequest, PullSuccess } from './events';
import { pullJobId } from './job-id';
import { applyEvent, emptyState, replay, type JobEvent, type JobState } from './progress-state';

// Where jobs run: BullMQ in the daemon (bullmq-backend.ts), a fake in tests. `submit` joins the
// job with this ID if one is queued or running, or queues it, and settles when the job does;
// `onEvent` sees its progress (possibly repeating what was already seen).
export interface JobBackend<R, E, O> {
  submit(jobId: string, request: R, onEvent: (event: E) => void): Promise<O>;
}

export type PullBackend = JobBackend<PullRequest, Parameters<PullListener>[0], PullOutcome>;

type Failure = { ok: false; code: ErrorCode; message: string };

interface Shared<E extends JobEvent, O> {
  state: JobState<E>;
  listeners: Set<(event: E) => void>;
  outcome: Promise<O>;
}

/*
 * The daemon's side of a job queue. Callers asking for the same thing (an image and platform
 * to pull, a tag to push) at the same time share one job: in this process through `inflight`,
 * across processes through the job ID. A caller that goes away (its signal aborts) only stops
 * listening: the job runs to the end, so no job is left half done. Ends with the job's outcome,
 * or throws the BerthError it failed with.
 */
export class JobCoordinator<R, E extends JobEvent, S, O extends ({ ok: true } & S) | Failure> {
  private readonly inflight = new Map<string, Shared<E, O>>();

  constructor(
    private readonly backend: JobBackend<R, E, O>,
    private readonly jobId: (request: R) => string,
  ) {}

  // How many distinct jobs this process is waiting on (for tests and diagnostics).
  get activeJobs(): number {
    return this.inflight.size;
  }

  async run(request: R, onEvent: (event: E) => void, signal?: AbortSignal): Promise<S> {
    const shared = this.join(this.jobId(request), request);
    for (const event of replay(shared.state)) onEvent(event);
    shared.listeners.add(onEvent);
    try {
      const outcome = await untilAborted(shared.outcome, signal);
      if (!outcome.ok) throw new BerthError((outcome as Failure).code, (outcome as Failure).message);
      const { ok: _ok, ...success } = outcome as { ok: true } & S;
      return success as S;
    } finally {
      shared.listeners.delete(onEvent);
    }
  }

  private join(jobId: string, request: R): Shared<E, O> {
    const existing = this.inflight.get(jobId);
    if (existing) return existing;
    const listeners = new Set<(event: E) => void>();
    const shared: Shared<E, O> = { state: emptyState<E>(), listeners, outcome: Promise.resolve({ ok: false, code: ErrorCode.Internal, message: '' } as O) };
    const onEvent = (event: E): void => {
      shared.state = applyEvent(shared.state, event);
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // A listener is one client's stream; its failure is not the job's.
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

// Pulls: one job per image and platform.
export class PullCoordinator extends JobCoordinator<PullRequest, Parameters<PullListener>[0], PullSuccess, PullOutcome> {
  constructor(backend: PullBackend) {
    super(backend, (request) => pullJobId(request.reference, request.platform));
  }

  pull(request: PullRequest, onEvent: PullListener, signal?: AbortSignal): Promise<PullSuccess> {
    return this.run(request, onEvent, signal);
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new BerthError(ErrorCode.Canceled, 'the client went away; the job goes on'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
