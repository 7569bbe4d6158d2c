import { Queue, Worker, type Job } from 'bullmq';
import { redisOptions } from '@berth/pull-queue';
import { DEFAULT_RETRY, retryDelayMs, type DeliveryJob, type DeliveryQueue, type RetryPolicy, type WebhookService } from '@berth/registry';

// One queue for every Hub process on a Redis: any worker may deliver any push's events, since the
// hooks and delivery records are in the shared storage.
export const WEBHOOK_QUEUE = 'berth-hub-webhooks';
const CONCURRENCY = 8;

/*
 * The webhook deliveries' BullMQ queue and its worker: each job is one delivery, tried up to
 * `policy.attempts` times with the exponential backoff of retryDelayMs. Finished jobs are removed;
 * their outcome is in the delivery record.
 */
export class BullWebhookQueue implements DeliveryQueue {
  private readonly queue: Queue<DeliveryJob>;
  private worker?: Worker<DeliveryJob>;

  constructor(
    private readonly redis: string,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly name = WEBHOOK_QUEUE,
  ) {
    this.queue = new Queue<DeliveryJob>(name, { connection: redisOptions(redis) });
    this.queue.on('error', () => {
      // ioredis reconnects by itself; an enqueue made meanwhile fails with the reason.
    });
  }

  async enqueue(job: DeliveryJob): Promise<void> {
    await this.queue.add('deliver', job, {
      jobId: job.deliveryId,
      attempts: this.policy.attempts,
      backoff: { type: 'webhook' },
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  startWorker(service: WebhookService, onError: (err: Error) => void): void {
    this.worker = new Worker<DeliveryJob>(this.name, (job: Job<DeliveryJob>) => service.deliver(job.data, job.attemptsMade + 1 >= (job.opts.attempts ?? 1)), {
      connection: redisOptions(this.redis),
      concurrency: CONCURRENCY,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, this.policy) },
    });
    this.worker.on('error', onError);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.worker?.close(), this.queue.close()]);
  }
}
