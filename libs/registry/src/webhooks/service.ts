import { errorMessageOf } from '@berth/errors';
import { type StorageDriver } from '../storage/driver';
import { attemptDelivery } from './deliver';
import { type DeliveryJob, type PushEvent } from './model';
import { WebhookStore } from './store';

// Where deliveries are queued; the app's BullMQ queue, or a fake in tests.
export interface DeliveryQueue {
  enqueue(job: DeliveryJob): Promise<void>;
}

export interface PushNotice {
  repository: string;
  tag: string;
  digest: string;
  mediaType: string;
  pusher?: string;
}

/*
 * Push events to webhooks: on a push, a pending delivery per hook is stored and queued; the
 * queue's worker calls `deliver` for each attempt, which records its outcome and throws when the
 * queue should retry. Storage holds all state, the queue only delivery ids.
 */
export class WebhookService {
  readonly store: WebhookStore;

  constructor(
    driver: StorageDriver,
    private readonly queue: DeliveryQueue,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.store = new WebhookStore(driver);
  }

  async onPush(notice: PushNotice, now = new Date()): Promise<number> {
    const hooks = await this.store.list(notice.repository);
    const event: PushEvent = { event: 'push', repository: notice.repository, tag: notice.tag, digest: notice.digest, mediaType: notice.mediaType, time: now.toISOString() };
    if (notice.pusher) event.pusher = notice.pusher;
    for (const hook of hooks) {
      const delivery = await this.store.createDelivery(notice.repository, hook.id, event);
      await this.queue.enqueue({ repository: notice.repository, webhookId: hook.id, deliveryId: delivery.id });
    }
    return hooks.length;
  }

  // One attempt of a queued delivery. `lastAttempt`: the queue will not retry after this one.
  async deliver(job: DeliveryJob, lastAttempt: boolean): Promise<void> {
    const delivery = await this.store.getDelivery(job.repository, job.webhookId, job.deliveryId);
    // The hook (and its deliveries) was removed meanwhile: nothing to do.
    if (!delivery || delivery.status !== 'pending') return;
    const hook = (await this.store.list(job.repository)).find((h) => h.id === job.webhookId);
    if (!hook) return;
    const result = await attemptDelivery(hook, delivery.id, delivery.event, this.fetchImpl);
    if (result.ok) {
      await this.store.recordAttempt(job.repository, delivery, { status: 'succeeded', httpStatus: result.httpStatus });
      return;
    }
    await this.store.recordAttempt(job.repository, delivery, { status: lastAttempt ? 'failed' : 'pending', httpStatus: result.httpStatus, error: result.error });
    throw new Error(`delivery ${delivery.id} to ${hook.url}: ${errorMessageOf(result.error)}`);
  }
}
