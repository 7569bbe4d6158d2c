import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackLayout } from '@berth/layout';
import type { ServiceDefinition } from './services';

const STOP_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 5_000;
const STABLE_AFTER_MS = 30_000;

export interface ServiceStatus {
  service: string;
  pid: number | null;
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  restarts: number;
}

interface Supervised {
  definition: ServiceDefinition;
  child?: ChildProcess;
  status: ServiceStatus;
  backoffMs: number;
  startedAt: number;
  restartTimer?: NodeJS.Timeout;
}

// Runs the services of one stack, restarts any that dies, and stops them in reverse order.
// It keeps no state that matters: containers live on under their monitors.
export class Supervisor {
  private readonly services: Supervised[];
  private stopping = false;

  constructor(
    private readonly layout: StackLayout,
    definitions: ServiceDefinition[],
  ) {
    this.services = definitions.map((definition) => ({
      definition,
      status: { service: definition.name, pid: null, state: 'starting', restarts: 0 },
      backoffMs: 250,
      startedAt: 0,
    }));
  }

  start(): void {
    for (const dir of [this.layout.runDir, this.layout.logsDir, this.layout.redisDir]) mkdirSync(dir, { recursive: true });
    for (const service of this.services) this.spawn(service);
    this.writeStatus();
  }

  private spawn(service: Supervised): void {
    const log = openSync(join(this.layout.logsDir, `${service.definition.name}.log`), 'a');
    const child = spawn(service.definition.command, service.definition.args, {
      stdio: ['ignore', log, log],
      env: { ...process.env, BERTH_ROOT: this.layout.root },
    });
    closeSync(log);
    service.child = child;
    service.startedAt = Date.now();
    service.status = { ...service.status, pid: child.pid ?? null, state: 'running' };
    child.on('error', () => undefined);
    child.on('exit', () => this.onExit(service, child));
  }

  private onExit(service: Supervised, child: ChildProcess): void {
    if (service.child !== child) return;
    service.child = undefined;
    service.status = { ...service.status, pid: null, state: this.stopping ? 'stopped' : 'restarting' };
    this.writeStatus();
    if (this.stopping) return;
    if (Date.now() - service.startedAt > STABLE_AFTER_MS) service.backoffMs = 250;
    service.restartTimer = setTimeout(() => {
      service.status.restarts += 1;
      this.spawn(service);
      this.writeStatus();
    }, service.backoffMs);
    service.backoffMs = Math.min(service.backoffMs * 2, MAX_BACKOFF_MS);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const service of [...this.services].reverse()) {
      clearTimeout(service.restartTimer);
      await stopChild(service.child);
      service.status = { ...service.status, pid: null, state: 'stopped' };
    }
    this.writeStatus();
  }

  statuses(): ServiceStatus[] {
    return this.services.map((service) => ({ ...service.status }));
  }

  // Best effort: `system status` reads it, but a supervisor must never die over it (say, when
  // its run directory was deleted under it) and leave services unsupervised.
  private writeStatus(): void {
    const file = join(this.layout.runDir, 'services.json');
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(this.statuses()));
      renameSync(`${file}.tmp`, file);
    } catch {
      // Nothing to do: the next change writes it again.
    }
  }
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
