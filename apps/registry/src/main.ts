import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessageOf } from '@berth/errors';
import { AccountStore, Authorizer, collectGarbage, createRegistryHandler, FsDriver, Registry, Sessions, TokenService, WebhookService } from '@berth/registry';
import { admin, USAGE } from './admin';
import { loadHubConfig } from './config';
import { BullWebhookQueue } from './webhook-queue';

// The Hub's OCI Distribution registry: `node apps/registry/dist/main.js --addr 127.0.0.1:5000
// --root DIR` serves <DIR>/registry. All state is in that directory, so several processes may
// serve the same root.
const DEFAULT_ROOT = '/var/lib/berth';
// Uploads nobody touched for a day are from clients that went away.
const UPLOAD_MAX_AGE_MS = 24 * 3600_000;
const PURGE_EVERY_MS = 3600_000;
const TEMP_MAX_AGE_MS = 3600_000;
const SHUTDOWN_GRACE_MS = 10_000;
// Garbage collection: hourly, sparing anything younger than a day (as long as uploads are kept),
// so a push in flight never loses what it wrote.
const GC_INTERVAL_S = 3600;
const GC_GRACE_S = 24 * 3600;

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

const log = (level: string, message: string): void => {
  process.stderr.write(`${new Date().toISOString()} registry ${level} ${message}\n`);
};

function parseAddr(addr: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`invalid --addr ${JSON.stringify(addr)}: want HOST:PORT`);
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      addr: { type: 'string' },
      root: { type: 'string' },
      config: { type: 'string' },
      redis: { type: 'string' },
      service: { type: 'string' },
      realm: { type: 'string' },
      'allow-anonymous-push': { type: 'boolean' },
      'gc-interval': { type: 'string' },
      'gc-grace': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadHubConfig(values.config);
  const seconds = (value: string | undefined, fallback: number, flag: string): number => {
    if (value === undefined) return fallback;
    if (!/^\d{1,9}$/.test(value)) throw new Error(`--${flag} wants a number of seconds`);
    return Number(value);
  };
  const gcGraceMs = seconds(values['gc-grace'], config.gcGrace ?? GC_GRACE_S, 'gc-grace') * 1000;
  const dataDir = join(resolve(values.root ?? config.root ?? process.env.BERTH_ROOT ?? DEFAULT_ROOT), 'registry');
  const driver = new FsDriver(dataDir);
  const accounts = new AccountStore(join(dataDir, '_auth', 'accounts.json'));
  if (positionals.length > 0 && positionals[0] !== 'serve') {
    process.stdout.write(`${await admin(positionals, accounts, driver, { passwordStdin: values['password-stdin'], graceMs: gcGraceMs })}\n`);
    return;
  }
  const addr = values.addr ?? config.addr ?? process.env.BERTH_REGISTRY_ADDR ?? '127.0.0.1:5000';
  const { host, port } = parseAddr(addr);
  const allowAnonymousPush = values['allow-anonymous-push'] ?? config.allowAnonymousPush ?? false;
  if (allowAnonymousPush && !isLoopback(host)) throw new Error('--allow-anonymous-push is for development on a loopback address only');
  const service = values.service ?? config.service ?? addr;
  const tokens = await TokenService.open(join(dataDir, '_auth', 'token-key.pem'), `berth-hub:${service}`);
  const auth = new Authorizer({ accounts, tokens, service, realm: values.realm ?? config.realm, allowAnonymousPush });
  const registry = new Registry(driver);
  const sessions = await Sessions.open(join(dataDir, '_auth', 'session-key'));
  // Webhook deliveries go through a Redis queue; without one, pushes notify nobody.
  const redis = values.redis ?? config.redis;
  const webhookQueue = redis === undefined ? undefined : new BullWebhookQueue(redis);
  const webhooks = webhookQueue && new WebhookService(driver, webhookQueue);
  if (webhookQueue && webhooks) webhookQueue.startWorker(webhooks, (err) => log('error', `webhook queue: ${errorMessageOf(err)}`));
  else log('info', 'webhooks disabled: no --redis given');
  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0 },
    createRegistryHandler(registry, {
      auth,
      sessions,
      webhooks,
      onInternalError: (err, req) => log('error', `${req.method} ${req.url}: ${errorMessageOf(err)}`),
      onWebhookError: (err) => log('error', `queueing webhook deliveries: ${errorMessageOf(err)}`),
    }),
  );
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  log('info', `serving ${dataDir} on ${host}:${port}${allowAnonymousPush ? ' (anonymous push allowed)' : ''}`);

  let collecting = false;
  const gc = (): void => {
    if (collecting) return;
    collecting = true;
    collectGarbage(driver, { graceMs: gcGraceMs })
      .then((r) => r.blobs + r.manifests + r.layerLinks > 0 && log('info', `gc removed ${r.manifests} manifests, ${r.layerLinks} links, ${r.blobs} blobs (${r.bytes} bytes)`))
      .catch((err: unknown) => log('error', `gc: ${errorMessageOf(err)}`))
      .finally(() => (collecting = false));
  };
  const gcInterval = seconds(values['gc-interval'], config.gcInterval ?? GC_INTERVAL_S, 'gc-interval');
  const gcTimer = setInterval(gc, Math.max(1, gcInterval) * 1000);
  gcTimer.unref();

  const purge = (): void => {
    registry.blobs
      .purgeUploads(new Date(Date.now() - UPLOAD_MAX_AGE_MS))
      .then((n) => n > 0 && log('info', `purged ${n} abandoned uploads`))
      .catch((err: unknown) => log('error', `purging uploads: ${errorMessageOf(err)}`));
    // Temp files of a Hub killed mid-write; an hour is far longer than any single write takes.
    driver
      .purgeTempFiles(new Date(Date.now() - TEMP_MAX_AGE_MS))
      .then((n) => n > 0 && log('info', `purged ${n} temp files left by interrupted writes`))
      .catch((err: unknown) => log('error', `purging temp files: ${errorMessageOf(err)}`));
  };
  const timer = setInterval(purge, PURGE_EVERY_MS);
  timer.unref();
  purge();

  // SIGTERM: stop accepting, let requests in flight finish (uploads stay resumable either way),
  // then exit; a second signal exits at once.
  const stop = (): void => {
    log('info', 'shutting down');
    clearInterval(timer);
    clearInterval(gcTimer);
    process.once('SIGTERM', () => process.exit(1));
    process.once('SIGINT', () => process.exit(1));
    server.close(() => {
      void (webhookQueue?.close() ?? Promise.resolve()).finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    // A client stalled mid-upload must not hold the exit forever; its upload stays resumable.
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`berth registry: ${errorMessageOf(err)}\n`);
  process.exit(1);
});
