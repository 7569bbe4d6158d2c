import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessageOf } from '@berth/errors';
import { addHealthService, createServer, listen, shutdown } from '@berth/grpc-kit';
import { DEFAULT_ROOT, stackLayout, unixAddress } from '@berth/layout';
import { runtime } from '@berth/proto';
import { createShim, DEFAULT_SECCOMP_PROFILE, nativeMonitorWithStandby, runtimeService } from '@berth/runtime';

// apps/runtime-shim/dist/main.js -> the repository's native/monitor build.
const DEFAULT_MONITOR = resolve(__dirname, '../../../native/monitor/build/berth-monitor');

const log = (level: string) => (message: string): void => {
  process.stderr.write(`${new Date().toISOString()} runtime-shim ${level}: ${message}\n`);
};
const logger = { info: log('info'), warn: log('warn') };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      listen: { type: 'string' },
      'default-runtime': { type: 'string' },
      monitor: { type: 'string' },
      'seccomp-profile': { type: 'string' },
      'cgroup-parent': { type: 'string' },
    },
  });
  const layout = stackLayout(values.root ?? process.env.BERTH_ROOT ?? DEFAULT_ROOT);
  const monitor = nativeMonitorWithStandby();
  const manager = await createShim({
    runtimeDir: layout.runtimeDir,
    cgroupParent: values['cgroup-parent'] ?? layout.cgroupParent,
    defaultRuntime: values['default-runtime'] ?? 'runc',
    monitorBinary: resolve(values.monitor ?? DEFAULT_MONITOR),
    seccompProfile: values['seccomp-profile'] ?? DEFAULT_SECCOMP_PROFILE,
    monitor,
    logger,
  });

  const server = createServer();
  server.addService(runtime.RuntimeServiceService, runtimeService(manager));
  addHealthService(server);
  const address = values.listen ?? process.env.BERTH_RUNTIME_LISTEN ?? unixAddress(layout.runtimeSocket);
  await listen(server, address);
  logger.info(`listening on ${address}`);

  // Containers belong to their monitors, not to the shim: stopping the shim leaves them running
  // (and their cgroup parent with them; an empty one goes).
  const stop = (): void => {
    manager.close();
    monitor.close();
    shutdown(server)
      .then(() => manager.removeIdleParents())
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`berth runtime-shim: ${errorMessageOf(err)}\n`);
  process.exit(1);
});
