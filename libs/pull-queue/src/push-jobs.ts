import { createHash } from 'node:crypto';
import type { Worker } from 'bullmq';
import { ErrorCode } from '@berth/errors';
import { normalizeReference } from '@berth/reference';
import { BullJobBackend, failureOutcome, parsedOutcome, type BullPullBackendOptions } from './bullmq-backend';
import { JobCoordinator, type JobBackend } from './coordinator';
import type { RegistryAuth } from './events';
import { startJobWorker, type JobHandler, type PullWorkerOptions } from './worker';

// Pushes go through their own queue beside the pulls, taken by the same image-store workers.
export const DEFAULT_PUSH_QUEUE = 'berth-pushes';

// A push's progress as the image store reports it (the shape of @berth/image-store's
// PushProgress, restated so the queue does not depend on the store).
export type PushLayerStatus = 'preparing' | 'waiting' | 'pushing' | 'pushed' | 'exists' | 'mounted';

export type PushEvent =
  | { type: 'resolved'; reference: string; digest: string; layers: Array<{ id: string; digest: string; size: number }> }
  | { type: 'layer'; id: string; digest: string; status: PushLayerStatus; current?: number; total?: number; from?: string }
  | { type: 'done'; reference: string; digest: string; imageId: string; size: number };

export interface PushRequest {
  // The local tag to push; it also names the registry and repository.
  reference: string;
  auth?: RegistryAuth;
}

export interface PushSuccess {
  reference: string;
  digest: string;
  imageId: string;
  size: number;
}

export type PushOutcome = ({ ok: true } & PushSuccess) | { ok: false; code: ErrorCode; message: string };

// Pushes of the same tag at the same time share one job; the ID names only the tag.
export function pushJobId(reference: string): string {
  return `push-${createHash('sha256').update(normalizeReference(reference)).digest('hex').slice(0, 32)}`;
}

export class PushCoordinator extends JobCoordinator<PushRequest, PushEvent, PushSuccess, PushOutcome> {
  constructor(backend: JobBackend<PushRequest, PushEvent, PushOutcome>) {
    super(backend, (request) => pushJobId(request.reference));
  }
}

export class BullPushBackend extends BullJobBackend<PushRequest, PushEvent, PushOutcome> {
  constructor(options: BullPullBackendOptions) {
    super({ ...options, queueName: options.queueName ?? DEFAULT_PUSH_QUEUE, kind: 'push', toOutcome: toPushOutcome });
  }
}

export function startPushWorker(handler: JobHandler<PushRequest, PushEvent, PushSuccess>, options: PullWorkerOptions): Worker {
  return startJobWorker(handler, { ...options, queueName: options.queueName ?? DEFAULT_PUSH_QUEUE });
}

function toPushOutcome(value: unknown): PushOutcome {
  const failure = failureOutcome(value, 'push');
  if (failure) return failure;
  const o = parsedOutcome(value);
  if (typeof o.reference === 'string' && typeof o.digest === 'string' && typeof o.imageId === 'string' && typeof o.size === 'number') {
    return { ok: true, reference: o.reference, digest: o.digest, imageId: o.imageId, size: o.size };
  }
  return { ok: false, code: ErrorCode.Internal, message: 'the push worker returned an unreadable result' };
}
