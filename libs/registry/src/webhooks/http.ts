import { type IncomingMessage, type ServerResponse } from 'node:http';
import { invalidArgument, unimplemented } from '@berth/errors';
import { checkName } from '../names';
import { readBody, send, sendJson } from '../http/respond';
import { viewOf } from './model';
import { type WebhookService } from './service';

const MAX_BODY = 16 * 1024;

export type WebhookRoute = { kind: 'webhooks'; name: string } | { kind: 'webhook'; name: string; id: string } | { kind: 'deliveries'; name: string; id: string };

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse((await readBody(req, MAX_BODY)).toString('utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw invalidArgument('the body must be JSON: {"url": "https://...", "secret": "..."}');
    throw err;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgument('the body must be a JSON object');
  return value as Record<string, unknown>;
}

/*
 * /v2/_berth/repositories/NAME/webhooks[/ID[/deliveries]]: list, add (POST {url, secret?}),
 * show, remove a repository's webhooks and list a webhook's deliveries. The caller has been
 * checked for push access to NAME; without a queue (no Redis) webhooks are UNSUPPORTED.
 */
export async function serveWebhooks(service: WebhookService | undefined, route: WebhookRoute, method: string, req: IncomingMessage, res: ServerResponse, user: string | undefined): Promise<void> {
  if (!service) throw unimplemented('webhooks are disabled: this Hub was started without --redis');
  const name = checkName(route.name);
  const store = service.store;
  const key = `${route.kind} ${method}`;
  switch (key) {
    case 'webhooks GET':
      return sendJson(res, 200, { webhooks: (await store.list(name)).map(viewOf) });
    case 'webhooks POST': {
      const body = await readJson(req);
      const hook = await store.add(name, { url: body.url, secret: body.secret }, user);
      return sendJson(res, 201, viewOf(hook), { Location: `/v2/_berth/repositories/${name}/webhooks/${hook.id}` });
    }
    case 'webhook GET':
      return sendJson(res, 200, viewOf(await store.get(name, (route as { id: string }).id)));
    case 'webhook DELETE':
      await store.remove(name, (route as { id: string }).id);
      return send(res, 204, {});
    case 'deliveries GET':
      return sendJson(res, 200, { deliveries: await store.deliveries(name, (route as { id: string }).id) });
    default:
      throw unimplemented(`method ${method} not supported here`);
  }
}
