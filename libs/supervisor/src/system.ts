import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessageOf, invalidArgument, unavailable } from '@berth/errors';
import { connect, unaryCall } from '@berth/grpc-kit';
import { stackLayout, unixAddress } from '@berth/layout';
import { daemon } from '@berth/proto';
import { isHealthy } from './health';
import { chooseHubAddress, hubAddress } from './hub-address';
import { isAlive, readPid, sleep, waitUntil } from './process-utils';
import { stackServices } from './services';
import type { ServiceStatus } from './supervisor';

const UP_TIMEOUT_MS = 30_000;
const DOWN_TIMEOUT_MS = 30_000;

export interface SystemOptions {
  root: string;
}

export interface SystemUpOptions extends SystemOptions {
  // HOST:PORT for the stack's Hub; by default the recorded one, or one that no other stack uses.
  hubAddr?: string;
}

export interface ServiceRow {
  service: string;
  pid: number | null;
  state: string;
  address: string;
}

function allHealthy(root: string): Promise<boolean> {
  return Promise.all(stackServices(stackLayout(root)).map(isHealthy)).then((results) => results.every(Boolean));
}

function logTail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// Starts the stack's supervisor in the background and returns once every service answers its
// health check. Starting a stack that is already up is a no-op.
export async function systemUp({ root, hubAddr }: SystemUpOptions): Promise<void> {
  const layout = stackLayout(root);
  const running = readPid(layout.supervisorPidFile);
  if (running !== undefined && isAlive(running)) {
    const current = hubAddress(layout);
    if (hubAddr !== undefined && hubAddr !== current) throw invalidArgument(`the stack at ${layout.root} is running with its Hub on ${current ?? 'no address'}; run system down first to move it to ${hubAddr}`);
    if (await waitUntil(() => allHealthy(root), UP_TIMEOUT_MS, 100)) return;
    throw unavailable(`the stack at ${layout.root} is running but not healthy: see ${layout.logsDir}`);
  }
  for (const dir of [layout.root, layout.runDir, layout.logsDir]) mkdirSync(dir, { recursive: true });
  await chooseHubAddress(layout, hubAddr);
  const log = openSync(join(layout.logsDir, 'supervisor.log'), 'a');
  const child = spawn(process.execPath, [join(__dirname, 'supervisor-main.js'), '--root', layout.root], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  if (await waitUntil(() => allHealthy(root), UP_TIMEOUT_MS, 50)) return;
  const tails = stackServices(layout)
    .map((service) => `${service.name}: ${logTail(join(layout.logsDir, `${service.name}.log`))}`)
    .join('\n');
  await systemDown({ root }).catch(() => undefined);
  throw unavailable(`the stack did not become healthy within ${UP_TIMEOUT_MS / 1000}s:\n${tails}`);
}

// Stops running containers through the daemon (as docker does when it shuts down), then the
// services, in reverse start order.
export async function systemDown({ root }: SystemOptions): Promise<void> {
  const layout = stackLayout(root);
  const pid = readPid(layout.supervisorPidFile);
  if (pid === undefined || !isAlive(pid)) return;
  await stopContainers(unixAddress(layout.daemonSocket)).catch((err: unknown) => {
    process.stderr.write(`warning: could not stop containers: ${errorMessageOf(err)}\n`);
  });
  process.kill(pid, 'SIGTERM');
  if (!(await waitUntil(() => !isAlive(pid), DOWN_TIMEOUT_MS, 50))) {
    process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
}

async function stopContainers(address: string): Promise<void> {
  const client = connect(daemon.DaemonServiceClient, address);
  try {
    const { containers } = await unaryCall(client, 'listContainers', { all: false, filters: [] }, { timeoutMs: 5000 });
    await Promise.all(
      containers.map((container) => unaryCall(client, 'stopContainer', { id: container.id, timeout: -1, signal: '' }, { timeoutMs: 20_000 })),
    );
  } finally {
    client.close();
  }
}

export async function systemStatus({ root }: SystemOptions): Promise<ServiceRow[]> {
  const layout = stackLayout(root);
  const supervisorPid = readPid(layout.supervisorPidFile);
  const up = supervisorPid !== undefined && isAlive(supervisorPid);
  let statuses: ServiceStatus[] = [];
  if (up && existsSync(join(layout.runDir, 'services.json'))) {
    statuses = JSON.parse(readFileSync(join(layout.runDir, 'services.json'), 'utf8')) as ServiceStatus[];
  }
  const rows = await Promise.all(
    stackServices(layout).map(async (service): Promise<ServiceRow> => {
      const status = statuses.find((s) => s.service === service.name);
      const healthy = up && (await isHealthy(service));
      return {
        service: service.name,
        pid: up ? (status?.pid ?? null) : null,
        state: !up ? 'stopped' : healthy ? 'running' : (status?.state ?? 'unknown'),
        address: service.address,
      };
    }),
  );
  return [{ service: 'supervisor', pid: up ? (supervisorPid ?? null) : null, state: up ? 'running' : 'stopped', address: layout.supervisorPidFile }, ...rows];
}
