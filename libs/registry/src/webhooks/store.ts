import { randomUUID } from 'node:crypto';
import { invalidArgument, notFound } from '@berth/errors';
import { checkName } from '../names';
import { repoPath } from '../paths';
import { type StorageDriver } from '../storage/driver';
import { type Delivery, type DeliveryStatus, type PushEvent, type Webhook } from './model';

// Bounds, so that a repository's hooks and history stay small objects.
export const MAX_WEBHOOKS = 20;
const MAX_URL_LENGTH = 2048;
const MAX_SECRET_LENGTH = 256;
// Deliveries kept per webhook; older ones are dropped as new ones come.
export const MAX_DELIVERIES = 50;

const ID = /^[0-9a-f-]{36}$/;

const hooksPath = (name: string): string => `${repoPath(name)}/_webhooks/hooks.json`;
const deliveriesDir = (name: string, hookId: string): string => `${repoPath(name)}/_webhooks/deliveries/${hookId}`;
const deliveryPath = (name: string, hookId: string, id: string): string => `${deliveriesDir(name, hookId)}/${id}.json`;

// Only http(s) URLs with a host and no credentials in them.
export function checkWebhookUrl(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) throw invalidArgument(`a webhook url must be a string of 1 to ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidArgument(`invalid webhook url ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument(`webhook url must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  if (url.username || url.password) throw invalidArgument('webhook url must not carry credentials; use a secret to sign deliveries instead');
  return url.toString();
}

function checkId(id: string): string {
  if (!ID.test(id)) throw notFound(`no webhook ${JSON.stringify(id.slice(0, 64))}`);
  return id;
}

/*
 * Webhooks and their deliveries, in the registry storage beside the repository (a `_webhooks`
 * folder, which neither the catalog nor GC treat as a repository), so every Hub process serving
 * the storage sees the same hooks. Edits of one repository's hooks are last-writer-wins.
 */
export class WebhookStore {
  constructor(private readonly driver: StorageDriver) {}

  async list(name: string): Promise<Webhook[]> {
    checkName(name);
    const raw = await this.driver.getContent(hooksPath(name));
    return raw ? (JSON.parse(raw.toString('utf8')) as Webhook[]) : [];
  }

  async get(name: string, id: string): Promise<Webhook> {
    const hook = (await this.list(name)).find((h) => h.id === checkId(id));
    if (!hook) throw notFound(`no webhook ${id} on ${name}`);
    return hook;
  }

  async add(name: string, input: { url: unknown; secret?: unknown }, createdBy?: string): Promise<Webhook> {
    const url = checkWebhookUrl(input.url);
    if (input.secret !== undefined && (typeof input.secret !== 'string' || input.secret.length === 0 || input.secret.length > MAX_SECRET_LENGTH)) {
      throw invalidArgument(`a webhook secret must be a string of 1 to ${MAX_SECRET_LENGTH} characters`);
    }
    const hooks = await this.list(name);
    if (hooks.length >= MAX_WEBHOOKS) throw invalidArgument(`a repository has at most ${MAX_WEBHOOKS} webhooks`);
    const hook: Webhook = { id: randomUUID(), url, createdAt: new Date().toISOString(), ...(typeof input.secret === 'string' ? { secret: input.secret } : {}), ...(createdBy ? { createdBy } : {}) };
    await this.driver.putContent(hooksPath(name), Buffer.from(JSON.stringify([...hooks, hook])));
    return hook;
  }

  async remove(name: string, id: string): Promise<void> {
    await this.get(name, id);
    const hooks = (await this.list(name)).filter((h) => h.id !== id);
    await this.driver.putContent(hooksPath(name), Buffer.from(JSON.stringify(hooks)));
    await this.driver.delete(deliveriesDir(name, id));
  }

  async createDelivery(name: string, hookId: string, event: PushEvent): Promise<Delivery> {
    const now = new Date().toISOString();
    const delivery: Delivery = { id: randomUUID(), webhookId: hookId, event, status: 'pending', attempts: 0, createdAt: now, updatedAt: now };
    await this.driver.putContent(deliveryPath(name, hookId, delivery.id), Buffer.from(JSON.stringify(delivery)));
    await this.trim(name, hookId);
    return delivery;
  }

  async getDelivery(name: string, hookId: string, id: string): Promise<Delivery | undefined> {
    const raw = await this.driver.getContent(deliveryPath(name, checkId(hookId), checkId(id)));
    return raw ? (JSON.parse(raw.toString('utf8')) as Delivery) : undefined;
  }

  async recordAttempt(name: string, delivery: Delivery, outcome: { status: DeliveryStatus; httpStatus?: number; error?: string }): Promise<Delivery> {
    const next: Delivery = { ...delivery, status: outcome.status, attempts: delivery.attempts + 1, updatedAt: new Date().toISOString() };
    delete next.lastStatus;
    delete next.lastError;
    if (outcome.httpStatus !== undefined) next.lastStatus = outcome.httpStatus;
    if (outcome.error !== undefined) next.lastError = outcome.error.slice(0, 500);
    await this.driver.putContent(deliveryPath(name, delivery.webhookId, delivery.id), Buffer.from(JSON.stringify(next)));
    return next;
  }

  // Newest first.
  async deliveries(name: string, hookId: string): Promise<Delivery[]> {
    await this.get(name, hookId);
    const out: Delivery[] = [];
    for (const file of await this.driver.list(deliveriesDir(name, hookId))) {
      const raw = await this.driver.getContent(`${deliveriesDir(name, hookId)}/${file}`);
      if (raw) out.push(JSON.parse(raw.toString('utf8')) as Delivery);
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  private async trim(name: string, hookId: string): Promise<void> {
    const all = await this.deliveries(name, hookId);
    for (const old of all.slice(MAX_DELIVERIES)) await this.driver.delete(deliveryPath(name, hookId, old.id));
  }
}
