import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessageOf } from '@berth/errors';
import { createRegistryHandler, FsDriver, Registry } from '@berth/registry';

// The Hub's OCI Distribution registry: `node apps/registry/dist/main.js --addr 127.0.0.1:5000
// --root DIR` serves <DIR>/registry. All state is in that directory, so several processes may
// serve the same root.
const DEFAULT_ROOT = '/var/lib/berth';
// Uploads nobody touched for a day are from clients that went away.
const UPLOAD_MAX_AGE_MS = 24 * 3600_000;
const PURGE_EVERY_MS = 3600_000;
const SHUTDOWN_GRACE_MS = 10_000;

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
  const { values } = parseArgs({ options: { addr: { type: 'string' }, root: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write('usage: registry [--addr 127.0.0.1:5000] [--root /var/lib/berth]\n');
    return;
  }
  const { host, port } = parseAddr(values.addr ?? process.env.BERTH_REGISTRY_ADDR ?? '127.0.0.1:5000');
  const dataDir = join(resolve(values.root ?? process.env.BERTH_ROOT ?? DEFAULT_ROOT), 'registry');
  const registry = new Registry(new FsDriver(dataDir));
  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0 },
    createRegistryHandler(registry, { onInternalError: (err, req) => log('error', `${req.method} ${req.url}: ${errorMessageOf(err)}`) }),
  );
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  log('info', `serving ${dataDir} on ${host}:${port}`);

  const purge = (): void => {
    registry.blobs
      .purgeUploads(new Date(Date.now() - UPLOAD_MAX_AGE_MS))
      .then((n) => n > 0 && log('info', `purged ${n} abandoned uploads`))
      .catch((err: unknown) => log('error', `purging uploads: ${errorMessageOf(err)}`));
  };
  const timer = setInterval(purge, PURGE_EVERY_MS);
  timer.unref();
  purge();

  // SIGTERM: stop accepting, let requests in flight finish (uploads stay resumable either way),
  // then exit; a second signal exits at once.
  const stop = (): void => {
    log('info', 'shutting down');
    clearInterval(timer);
    process.once('SIGTERM', () => process.exit(1));
    process.once('SIGINT', () => process.exit(1));
    server.close(() => process.exit(0));
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
