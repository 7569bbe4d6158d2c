import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { invalidArgument } from '@berth/errors';
import { serializeProcess } from '@berth/oci-spec';
import type { types } from '@berth/proto';
import type { ContainerRecord } from './container-record';
import { exitStatusOf } from './container-state';
import { resolveContainerUser } from './container-user';
import { execProcess, readBundleSpec } from './exec-process';
import type { MonitorSession } from './monitor-port';
import type { StdioCall } from './runtime-manager';
import type { ExecPaths } from './runtime-paths';
import type { ShimContext } from './shim-context';
import { exitFrame, forwardInput, outputFrame, readyFrame } from './stdio-bridge';
import { stopMonitor } from './teardown';
import { MONITOR_POLL_MS, sleep } from './abortable-sleep';

// Exec sessions of the shim's containers: each runs under its own monitor, with its own log,
// exit file and socket in the container's exec directory, removed once its monitor is done.
export class ExecSessions {
  constructor(
    private readonly ctx: ShimContext,
    private readonly closing: AbortSignal,
  ) {}

  // Runs one exec in a running container and streams it until it exits.
  async run(record: ContainerRecord, open: types.ExecOpen, call: StdioCall): Promise<void> {
    if (open.args.length === 0 || open.args[0] === '') throw invalidArgument('no exec command specified');
    const execId = randomBytes(8).toString('hex');
    const exec = this.ctx.paths.exec(record.id, execId);
    let launched = false;
    try {
      // runc exec moves the process into the container's cgroup (see MigrationWarmer).
      const cool = this.ctx.cgroups.keepMigrationsWarm();
      await this.launch(record, open, exec).finally(cool);
      launched = true;
      await this.streamExec(record.id, exec, open, call);
    } finally {
      if (launched) this.cleanExecWhenDone(record.id, execId);
      else await this.removeExecFiles(record.id, execId);
    }
  }

  private async launch(record: ContainerRecord, open: types.ExecOpen, exec: ExecPaths): Promise<void> {
    const paths = this.ctx.paths.container(record.id);
    const bundleSpec = await readBundleSpec(paths.config);
    const user = open.user ? resolveContainerUser(paths.rootfs, open.user) : undefined;
    await mkdir(exec.dir, { recursive: true });
    await writeFile(exec.processFile, serializeProcess(execProcess(bundleSpec.process, open, user, this.ctx.host.capabilities)));
    await this.ctx.monitor.launch({
      monitorBinary: this.ctx.monitorBinary,
      id: record.id,
      runtimePath: record.runtimePath,
      runtimeRoot: this.ctx.paths.state,
      execProcessFile: exec.processFile,
      logPath: exec.logPath,
      exitFile: exec.exitFile,
      socketPath: exec.socketPath,
      pidFile: exec.pidFile,
      monitorPidFile: exec.monitorPidFile,
      tty: open.tty,
      stdin: open.stdin,
    });
  }

  // An exec starts at once (runc exec --detach), so it may write, or even finish, before the
  // attach connects: its output is therefore read from its log, which has all of it, and the
  // attach serves only stdin and resizing.
  private async streamExec(id: string, exec: ExecPaths, open: types.ExecOpen, call: StdioCall): Promise<void> {
    const session = await this.ctx.monitor.attach(exec.socketPath).catch(() => undefined);
    const signal = AbortSignal.any([call.signal, this.closing]);
    try {
      if (session) {
        forwardInput(call.input, session, { stdin: open.stdin, stdout: false, stderr: false }).catch(() => undefined);
        drainSession(session).catch(() => undefined);
      }
      call.write(readyFrame);
      const stopWhen = async (): Promise<boolean> =>
        (await this.ctx.monitor.readExit(exec.exitFile)) !== undefined || !(await this.ctx.monitor.isAlive(exec.monitorPidFile));
      for await (const entry of this.ctx.monitor.readLog(exec.logPath, { follow: true, tail: -1, signal, stopWhen })) {
        call.write(outputFrame(entry.stream, entry.data, entry.time));
      }
      if (signal.aborted) return;
      const exit = await this.ctx.monitor.readExit(exec.exitFile);
      if (!exit) this.ctx.logger.warn(`exec in ${id} ended without an exit file`);
      call.write(exitFrame(exitStatusOf(exit)));
    } finally {
      session?.close();
    }
  }

  // An exec's files go once its monitor has finished, even if the client left before that.
  private cleanExecWhenDone(id: string, execId: string): void {
    const exec = this.ctx.paths.exec(id, execId);
    stopMonitorWhenDone(this.ctx, exec.monitorPidFile, id, this.closing)
      .then(() => (this.closing.aborted ? undefined : this.removeExecFiles(id, execId)))
      .catch((err: unknown) => this.ctx.logger.warn(`cleaning exec ${execId} of ${id}: ${err instanceof Error ? err.message : String(err)}`));
  }

  // Exec leftovers whose monitors are gone (after a shim restart).
  async removeFinished(id: string): Promise<void> {
    for (const execId of await readdir(this.ctx.paths.container(id).execDir).catch(() => [] as string[])) {
      const exec = this.ctx.paths.exec(id, execId);
      if (!(await this.ctx.monitor.isAlive(exec.monitorPidFile))) await this.removeExecFiles(id, execId);
    }
  }

  private async removeExecFiles(id: string, execId: string): Promise<void> {
    const exec = this.ctx.paths.exec(id, execId);
    await rm(exec.dir, { recursive: true, force: true });
    await rm(exec.socketPath, { force: true });
  }
}

async function drainSession(session: MonitorSession): Promise<void> {
  for await (const event of session) if (event.kind === 'exit') return;
}

// Waits (without a deadline) for a monitor to leave; used for exec monitors.
async function stopMonitorWhenDone(ctx: ShimContext, monitorPidFile: string, id: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && (await ctx.monitor.isAlive(monitorPidFile))) await sleep(MONITOR_POLL_MS, signal);
  if (!signal.aborted) await stopMonitor(ctx, monitorPidFile, id);
}
