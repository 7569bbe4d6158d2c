import { Job, Queue, QueueEvents } from 'bullmq';
import { ErrorCode, isErrorCode } from '@berth/errors';
import { DEFAULT_PULL_QUEUE, redisOptions } from './connection';
import type { PullEvent, PullOutcome, PullRequest } from './events';
import type { JobBackend } from './coordinator';
import { isPullState, replay, type JobEvent } from './progress-state';

export interface BullPullBackendOptions {
  redis: string;
  queueName?: string;
}

// What a worker stores as a job's progress: the event just reported and the state so far.
export interface ProgressPayload<E = PullEvent> {
  event: E;
  state: unknown;
}

// The outcome every job settles with: success, or a BerthError's code and message.
export type JobOutcome = { ok: true } | { ok: false; code: ErrorCode; message: string };

interface Waiter<E, O> {
  onEvent: (event: E) => void;
  settle: (outcome: O) => void;
}

export interface BullJobBackendOptions<O> extends BullPullBackendOptions {
  queueName: string;
  // The BullMQ job name, and what failures are called in messages: `pull`, `push`.
  kind: string;
  // Reads a job's return value (untrusted JSON) as an outcome.
  toOutcome: (value: unknown) => O;
}

const JOB_OPTIONS = {
  // Finished jobs go at once: the next request for the image then queues a fresh job (which
  // finds the image up to date) instead of joining an old one.
  removeOnComplete: true,
  removeOnFail: true,
  // One attempt: the registry client retries what fails in transit, and a worker that dies is
  // covered by BullMQ's stalled-job check (see worker.ts), which does not count attempts.
  attempts: 1,
} as const;

/*
 * The daemon's end of a job queue (pulls, pushes). Queue events are listened to before a job is added, so a
 * job that finishes at once is still seen; joining a job already under way starts from the
 * state its worker last stored.
 */
export class BullJobBackend<R, E extends JobEvent, O extends JobOutcome> implements JobBackend<R, E, O> {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly waiters = new Map<string, Waiter<E, O>>();
  private readonly ready: Promise<unknown>;
  private readonly kind: string;

  constructor(options: BullJobBackendOptions<O>) {
    const name = options.queueName;
    this.kind = options.kind;
    const connection = redisOptions(options.redis);
    this.queue = new Queue(name, { connection });
    this.events = new QueueEvents(name, { connection });
    this.queue.on('error', () => {
      // ioredis reconnects by itself; a submit made meanwhile fails with the reason.
    });
    this.events.on('error', () => {
      // As above: the events connection comes back and resumes where it stopped.
    });
    this.events.on('progress', ({ jobId, data }) => {
      const payload = data as unknown as ProgressPayload<E>;
      if (typeof payload === 'object' && payload !== null && 'event' in payload) this.waiters.get(jobId)?.onEvent(payload.event);
    });
    this.events.on('completed', ({ jobId, returnvalue }) => this.waiters.get(jobId)?.settle(options.toOutcome(returnvalue)));
    this.events.on('failed', ({ jobId, failedReason }) => {
      this.waiters.get(jobId)?.settle({ ok: false, code: ErrorCode.Internal, message: `${this.kind} failed: ${failedReason}` } as O);
    });
    this.ready = this.events.waitUntilReady();
  }

  async submit(jobId: string, request: R, onEvent: (event: E) => void): Promise<O> {
    await this.ready;
    let settle: (outcome: O) => void = () => undefined;
    const outcome = new Promise<O>((resolve) => {
      settle = resolve;
    });
    this.waiters.set(jobId, { onEvent, settle });
    try {
      await this.queue.add(this.kind, request, { ...JOB_OPTIONS, jobId });
      // Joined a job already under way: start from what its worker last stored.
      const stored = (await Job.fromId(this.queue, jobId))?.progress;
      const state = typeof stored === 'object' && stored !== null && 'state' in stored ? stored.state : undefined;
      if (isPullState(state)) for (const event of replay(state)) onEvent(event as unknown as E);
      return await outcome;
    } finally {
      this.waiters.delete(jobId);
    }
  }

  // Jobs this queue holds that no worker has finished (for tests and diagnostics).
  async pendingJobs(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }

  // Deletes the queue and everything in it (tests).
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}

export class BullPullBackend extends BullJobBackend<PullRequest, PullEvent, PullOutcome> {
  constructor(options: BullPullBackendOptions) {
    super({ ...options, queueName: options.queueName ?? DEFAULT_PULL_QUEUE, kind: 'pull', toOutcome: toPullOutcome });
  }
}

// A failure outcome from a job's return value, or undefined when it is not one.
export function failureOutcome(value: unknown, kind: string): { ok: false; code: ErrorCode; message: string } | undefined {
  const parsed: unknown = typeof value === 'string' ? safeParse(value) : value;
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, code: ErrorCode.Internal, message: `the ${kind} worker returned nothing` };
  const o = parsed as Record<string, unknown>;
  if (o.ok === true) return undefined;
  const code = typeof o.code === 'string' && isErrorCode(o.code) ? o.code : ErrorCode.Internal;
  return { ok: false, code, message: typeof o.message === 'string' ? o.message : `the ${kind} failed` };
}

export function parsedOutcome(value: unknown): Record<string, unknown> {
  const parsed: unknown = typeof value === 'string' ? safeParse(value) : value;
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function toPullOutcome(value: unknown): PullOutcome {
  const failure = failureOutcome(value, 'pull');
  if (failure) return failure;
  const o = parsedOutcome(value);
  if (typeof o.reference === 'string' && typeof o.digest === 'string' && typeof o.imageId === 'string') {
    return { ok: true, reference: o.reference, digest: o.digest, imageId: o.imageId, upToDate: o.upToDate === true };
  }
  return { ok: false, code: ErrorCode.Internal, message: 'the pull worker returned an unreadable result' };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
