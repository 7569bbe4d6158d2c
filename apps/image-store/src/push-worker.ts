import type { Worker } from 'bullmq';
import type { ImageStore } from '@berth/image-store';
import { startPushWorker } from '@berth/pull-queue';

// Takes push jobs from the stack's Redis: ImageStore.push, progress back through the job.
export function startPushJobs(store: ImageStore, redis: string, onError: (err: unknown) => void): Worker {
  return startPushWorker(
    (request, onEvent, signal) => store.push(request.reference, { signal, onProgress: onEvent, ...(request.auth ? { credentials: request.auth } : {}) }),
    { redis, onError },
  );
}
