// A repository's webhook: where push events go, and the secret they are signed with.
export interface Webhook {
  id: string;
  url: string;
  // Kept in storage, never shown by the API (only whether there is one).
  secret?: string;
  createdAt: string;
  createdBy?: string;
}

// What the API shows of a webhook.
export interface WebhookView {
  id: string;
  url: string;
  signed: boolean;
  createdAt: string;
  createdBy?: string;
}

/*
 * The JSON body POSTed on every manifest push by tag (docs: libs/registry/README.md). Shaped like
 * the push event of Docker Hub's webhooks, flattened: one repository, one tag, one digest.
 */
export interface PushEvent {
  event: 'push';
  repository: string;
  tag: string;
  digest: string;
  mediaType: string;
  // The account that pushed; absent for anonymous (development) pushes.
  pusher?: string;
  // RFC 3339, when the Hub stored the tag.
  time: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

// One event's delivery to one webhook, updated after every attempt.
export interface Delivery {
  id: string;
  webhookId: string;
  event: PushEvent;
  status: DeliveryStatus;
  attempts: number;
  // The receiver's last HTTP status, or why the last attempt got none.
  lastStatus?: number;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

// What the queue carries: enough to find the delivery again in storage.
export interface DeliveryJob {
  repository: string;
  webhookId: string;
  deliveryId: string;
}

export const viewOf = (hook: Webhook): WebhookView => ({ id: hook.id, url: hook.url, signed: hook.secret !== undefined, createdAt: hook.createdAt, ...(hook.createdBy ? { createdBy: hook.createdBy } : {}) });
