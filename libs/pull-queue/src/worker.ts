import { Worker, type Job } from 'bullmq';
import { errorCodeOf, errorMessageOf, ErrorCode, isBerthError } from '@berth/errors';
import { DEFAULT_PULL_QUEUE, redisOptions } from './connection';
import type { PullEvent, PullOutcome, PullRequest, PullSuccess } from './events';
import { applyEvent, emptyState, type JobEvent, type JobState } from './progress-state';
import type { JobOutcome, ProgressPayload } from './bullmq-backend';

// What does the work: ImageStore.pull (or push) in the image-store app.
export type JobHandler<R, E, S> = (request: R, onEvent: (event: E) => void, signal: AbortSignal) => Promise<S>;
export type PullHandler = JobHandler<PullRequest, PullEvent, PullSuccess>;

export interface PullWorkerOptions {
  redis: string;
  queueName?: string;
  // Jobs pulled at once by this worker.
  concurrency?: number;
  onError?: (err: unknown) => void;
}

// A worker killed mid-pull loses its lock after LOCK_MS; the next stalled check (every
// STALLED_CHECK_MS) puts the job back, and a worker takes it again and reuses every blob and
// layer that was verified before the kill.
const LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;
const MAX_STALLED = 3;

export function startPullWorker(handler: PullHandler, options: PullWorkerOptions): Worker<PullRequest, PullOutcome> {
  return startJobWorker<PullRequest, PullEvent, PullSuccess>(handler, { ...options, queueName: options.queueName ?? DEFAULT_PULL_QUEUE }) as Worker<PullRequest, PullOutcome>;
}

export function startJobWorker<R, E extends JobEvent, S extends object>(handler: JobHandler<R, E, S>, options: PullWorkerOptions & { queueName: string }): Worker<R, JobOutcome> {
  const worker = new Worker<R, JobOutcome>(options.queueName, (job, _token, signal) => runJob(job, handler, signal), {
    connection: redisOptions(options.redis),
    concurrency: options.concurrency ?? 4,
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    maxStalledCount: MAX_STALLED,
  });
  worker.on('error', (err) => options.onError?.(err));
  return worker;
}

export async function runJob<R, E extends JobEvent, S extends object>(
  job: Pick<Job<R, unknown>, 'data' | 'updateProgress'>,
  handler: JobHandler<R, E, S>,
  signal?: AbortSignal,
): Promise<({ ok: true } & S) | { ok: false; code: ErrorCode; message: string }> {
  let state: JobState<E> = emptyState<E>();
  // Progress updates go out in order, one at a time; a lost update only costs a redraw.
  let chain: Promise<void> = Promise.resolve();
  const onEvent = (event: E): void => {
    state = applyEvent(state, event);
    const payload: ProgressPayload<E> = { event, state };
    chain = chain.then(() => job.updateProgress(payload as unknown as object)).catch(() => undefined);
  };
  try {
    const result = await handler(job.data, onEvent, signal ?? new AbortController().signal);
    return { ok: true, ...result };
  } catch (err) {
    // The store's own errors (the registry client has already retried what was worth it) go to
    // every waiter with their code; anything else is a bug and fails the job.
    if (isBerthError(err) && err.code !== ErrorCode.Canceled) return { ok: false, code: errorCodeOf(err), message: errorMessageOf(err) };
    throw err;
  } finally {
    await chain;
  }
}
