import { Worker, type Job } from 'bullmq';
import { errorCodeOf, errorMessageOf, ErrorCode, isBerthError } from '@berth/errors';
import { DEFAULT_PULL_QUEUE, redisOptions } from './connection';
import type { PullEvent, PullListener, PullOutcome, PullRequest, PullSuccess } from './events';
import { applyEvent, emptyState, type PullState } from './progress-state';
import type { ProgressPayload } from './bullmq-backend';

// What does the pulling: ImageStore.pull in the image-store app.
export type PullHandler = (request: PullRequest, onEvent: PullListener, signal: AbortSignal) => Promise<PullSuccess>;

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
  const worker = new Worker<PullRequest, PullOutcome>(options.queueName ?? DEFAULT_PULL_QUEUE, (job, _token, signal) => runJob(job, handler, signal), {
    connection: redisOptions(options.redis),
    concurrency: options.concurrency ?? 4,
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    maxStalledCount: MAX_STALLED,
  });
  worker.on('error', (err) => options.onError?.(err));
  return worker;
}

export async function runJob(job: Pick<Job<PullRequest, PullOutcome>, 'data' | 'updateProgress'>, handler: PullHandler, signal?: AbortSignal): Promise<PullOutcome> {
  let state: PullState = emptyState();
  // Progress updates go out in order, one at a time; a lost update only costs a redraw.
  let chain: Promise<void> = Promise.resolve();
  const onEvent = (event: PullEvent): void => {
    state = applyEvent(state, event);
    const payload: ProgressPayload = { event, state };
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
