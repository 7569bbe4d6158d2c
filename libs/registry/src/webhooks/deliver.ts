import { createHmac } from 'node:crypto';
import { type PushEvent, type Webhook } from './model';

export const SIGNATURE_HEADER = 'X-Berth-Signature-256';
const TIMEOUT_MS = 10_000;

// GitHub's scheme: the hex HMAC-SHA256 of the exact body, keyed with the webhook's secret.
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function requestFor(hook: Webhook, deliveryId: string, event: PushEvent): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(event);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'Berth-Hub-Webhook/1',
    'X-Berth-Event': event.event,
    'X-Berth-Delivery': deliveryId,
  };
  if (hook.secret !== undefined) headers[SIGNATURE_HEADER] = signature(hook.secret, body);
  return { headers, body };
}

export type AttemptResult = { ok: true; httpStatus: number } | { ok: false; httpStatus?: number; error: string };

// One attempt: a 2xx answer is success; redirects are not followed (a receiver moving is the
// hook owner's to fix), and a receiver that does not answer in time has failed this attempt.
export async function attemptDelivery(hook: Webhook, deliveryId: string, event: PushEvent, fetchImpl: typeof fetch = fetch): Promise<AttemptResult> {
  const { headers, body } = requestFor(hook, deliveryId, event);
  try {
    const res = await fetchImpl(hook.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    // Read (and drop) the answer so the connection is released.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, httpStatus: res.status };
    return { ok: false, httpStatus: res.status, error: `receiver answered ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, error: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}
