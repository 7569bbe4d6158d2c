import { EventEmitter, once } from 'node:events';
import { mkdir, readdir } from 'node:fs/promises';
import { alreadyExists, failedPrecondition, notFound } from '@berth/errors';
import { runtime, types } from '@berth/proto';
import { type ContainerRecord, loadRecord, saveRecord } from './container-record';
import { containerState, exitOf, exitStatusOf, launchedState, UNKNOWN_EXIT_CODE } from './container-state';
import { createContainer, type CreateOptions } from './create-container';
import { MONITOR_POLL_MS, sleep } from './abortable-sleep';
import { ExecSessions } from './exec-sessions';
import { ExitWatcher } from './exit-watcher';
import { KeyedMutex } from '@berth/keyed-mutex';
import type { MonitorExit, MonitorSession } from './monitor-port';
import type { ShimContext } from './shim-context';
import { ParentGate } from './parent-gate';
import { releaseContainer } from './release';
import { bridgeStdio, exitFrame, type FrameSink, outputFrame, readyFrame } from './stdio-bridge';
import { teardownContainer } from './teardown';
import { topProcesses } from './top';

const { Status } = runtime;
const { OutputStream } = types;
// How long an attach sent along with a create waits for that create to arrive.
const CREATE_ARRIVAL_MS = 60_000;
// A create under way: its end, and its record once the monitor runs the container (pending for
// good if the create ends without getting that far: waiters race it against the end).
interface PendingCreate {
  done: Promise<unknown>;
  launched: Promise<ContainerRecord>;
}

export interface StdioCall {
  input: AsyncIterator<types.StdioClientFrame>;
  write: FrameSink;
  signal: AbortSignal;
}

// The shim's containers: their records, per-container locking, and every RuntimeService
// operation in transport-neutral form. Its only state is on disk, so `load` after a restart
// sees what the previous shim left.
export class RuntimeManager {
  private readonly records = new Map<string, ContainerRecord>();
  private readonly locks = new KeyedMutex();
  private readonly closing = new AbortController();
  private readonly exits: ExitWatcher;
  private readonly parents = new ParentGate();
  private readonly execs: ExecSessions;
  // Creates under way (by container id) and word of each one's beginning, for an attach sent
  // along with its create (see attach).
  private readonly pendingCreates = new Map<string, PendingCreate>();
  private readonly createsBegun = new EventEmitter();

  constructor(private readonly ctx: ShimContext) {
    this.exits = new ExitWatcher((path) => ctx.monitor.readExit(path));
    this.execs = new ExecSessions(ctx, this.closing.signal);
  }

  // Rebuilds the view from disk. Bundles of half-made containers (no record, or no monitor, no
  // exit and nothing runc knows running) are torn down; so are exec leftovers. Containers that
  // exited while no shim ran are released; live ones are watched again.
  async load(): Promise<void> {
    for (const dir of this.ctx.paths.allDirs()) await mkdir(dir, { recursive: true, mode: 0o711 });
    const exited: ContainerRecord[] = [];
    for (const id of await readdir(this.ctx.paths.bundles)) {
      const paths = this.ctx.paths.container(id);
      const record = await loadRecord(paths.record);
      if (!record || !(await this.isAlive(record))) {
        this.ctx.logger.warn(`removing half-made container ${id}`);
        const target = { id, runtimePath: record?.runtimePath ?? this.ctx.defaultRuntime, cgroupParent: record?.cgroupParent ?? this.ctx.cgroupParent };
        await teardownContainer(this.ctx, target).catch((err: unknown) => this.ctx.logger.warn(`could not remove ${id}: ${messageOf(err)}`));
        continue;
      }
      if (record.phase === 'creating') {
        record.phase = 'created';
        saveRecord(paths.record, record);
      }
      this.records.set(id, record);
      await this.execs.removeFinished(id);
      if (await this.ctx.monitor.readExit(paths.exitFile)) {
        if (!record.released) exited.push(record);
      } else {
        await this.reconcile(record);
        this.watchExit(record);
      }
    }
    await Promise.all(exited.map((record) => this.releaseQuietly(record)));
  }

  // The shim keeps the status it set (see knownStatus); a shim killed between a runc call and
  // saving the record may have missed one, so after a restart runc has the last word once.
  private async reconcile(record: ContainerRecord): Promise<void> {
    const oci = await this.oci(record).state(record.id).catch(() => undefined);
    if (!oci) return;
    const paused = oci.status === 'paused';
    const started = paused || oci.status === 'running';
    if (paused === (record.paused ?? false) && (!started || record.startedAt)) return;
    if (paused) record.paused = true;
    else delete record.paused;
    // The moment is lost; now is the closest the shim can tell.
    if (started && !record.startedAt) record.startedAt = new Date().toISOString();
    saveRecord(this.ctx.paths.container(record.id).record, record);
  }

  // Releases the container as soon as its exit file appears, whoever asks about it or not.
  private watchExit(record: ContainerRecord): void {
    this.exits.watch(this.ctx.paths.container(record.id).exitFile, () => void this.releaseQuietly(record));
  }

  // Frees an exited container's runc state, mount and cgroups (release.ts); a no-op for one that
  // has not exited (by its exit file), is already released, or was deleted (or re-created)
  // meanwhile. Wait, State and List await it, so what they report as stopped holds nothing.
  private async release(record: ContainerRecord): Promise<void> {
    await this.locks.run(record.id, async () => {
      const paths = this.ctx.paths.container(record.id);
      if (this.records.get(record.id) !== record || record.released) return;
      if (!(await this.ctx.monitor.readExit(paths.exitFile))) return;
      await releaseContainer(this.ctx, record);
      record.released = true;
      saveRecord(paths.record, record);
    });
  }

  // A failed release leaves the container as it was (Delete removes it all the same) and is tried
  // again by the next State, List or Wait.
  private async releaseQuietly(record: ContainerRecord): Promise<void> {
    try {
      await this.release(record);
    } catch (err) {
      this.ctx.logger.warn(`could not release exited container ${record.id}: ${messageOf(err)}`);
    }
  }

  // The shim's own cgroup parent stays while the shim runs, as docker's does: removed whenever
  // its last container went and made again by the next, it cost each `run --rm` about 20 ms
  // (cgroup v1 makes and destroys a directory in every hierarchy). A parent of an earlier
  // --cgroup-parent goes with its last container; every empty one goes when the shim stops.
  private async dropParent(parent: string): Promise<void> {
    await this.parents.removeIfIdle(() => this.ctx.cgroups.removeParentIfEmpty(parent));
  }

  async removeIdleParents(): Promise<void> {
    const parents = new Set([this.ctx.cgroupParent, ...[...this.records.values()].map((record) => record.cgroupParent)]);
    for (const parent of parents) await this.dropParent(parent);
  }

  // A container is worth keeping when it has exited properly, has a monitor, or runs anyway.
  private async isAlive(record: ContainerRecord): Promise<boolean> {
    const paths = this.ctx.paths.container(record.id);
    if (record.phase === 'created' && (await this.ctx.monitor.readExit(paths.exitFile))) return true;
    if (await this.ctx.monitor.isAlive(paths.monitorPidFile)) return true;
    const oci = await this.ctx.ociRuntime(record.runtimePath).state(record.id).catch(() => undefined);
    return oci !== undefined && oci.status !== 'stopped';
  }

  // Graceful shutdown: stops watching and waiting; containers keep running under their monitors.
  close(): void {
    this.closing.abort();
    this.exits.close();
  }

  private record(id: string): ContainerRecord {
    const record = this.records.get(id);
    if (!record) throw notFound(`no such container: ${id}`);
    return record;
  }

  private oci(record: ContainerRecord): ReturnType<ShimContext['ociRuntime']> {
    return this.ctx.ociRuntime(record.runtimePath);
  }

  async create(spec: runtime.ContainerSpec | undefined, options?: CreateOptions): Promise<runtime.ContainerState> {
    const id = spec?.id ?? '';
    let onLaunched: (record: ContainerRecord) => void = () => undefined;
    const launched = new Promise<ContainerRecord>((resolve) => (onLaunched = resolve));
    const creating = this.locks.run(id, async () => {
      if (this.records.has(id)) throw alreadyExists(`container ${id} already exists`);
      const record = await this.parents.create(() => createContainer(this.ctx, spec, { ...(options ?? { start: false, holdOutput: false }), onLaunched }));
      this.records.set(id, record);
      this.watchExit(record);
      return launchedState(this.ctx, record);
    });
    const pending: PendingCreate = { done: creating, launched };
    if (id !== '' && !this.pendingCreates.has(id)) {
      this.pendingCreates.set(id, pending);
      this.createsBegun.emit(id);
    }
    try {
      return await creating;
    } finally {
      if (this.pendingCreates.get(id) === pending) this.pendingCreates.delete(id);
    }
  }

  // For an attach sent along with the create (docker run): the create may not have arrived yet.
  // Waits for it to begin (as long as the caller waits, a minute at most) and then for its monitor
  // to run the container, or for the create to end; its failure is the attach's. Answers the
  // record of a container its monitor runs while its create is still going, with that create.
  private async createSentWith(id: string, signal: AbortSignal): Promise<{ record: ContainerRecord; creating: Promise<unknown> } | undefined> {
    if (!this.records.has(id) && !this.pendingCreates.has(id)) {
      const gaveUp = AbortSignal.any([signal, this.closing.signal, AbortSignal.timeout(CREATE_ARRIVAL_MS)]);
      try {
        await once(this.createsBegun, id, { signal: gaveUp });
      } catch {
        throw notFound(`no such container: ${id}`);
      }
    }
    const pending = this.pendingCreates.get(id);
    if (pending === undefined) return undefined;
    const record = await Promise.race([pending.launched, pending.done.then(() => undefined)]);
    return record && { record, creating: pending.done };
  }

  // The attach sent along with a create whose monitor is running the container: connected at once
  // (the monitor holds the output and the exit for its first client), while the create saves its
  // record. The exit goes out only once the create has succeeded; if it fails, its error is the
  // attach's. False when the monitor is gone already (the hold ran out): the caller falls back to
  // the finished create.
  private async attachLaunched(record: ContainerRecord, creating: Promise<unknown>, open: types.AttachOpen, call: StdioCall): Promise<boolean> {
    let session: MonitorSession;
    try {
      session = await this.ctx.monitor.attach(this.ctx.paths.container(record.id).socketPath);
    } catch {
      return false;
    }
    try {
      await this.bridgeAttach(record, open, call, session, () => creating);
    } catch (err) {
      await creating;
      throw err;
    }
    return true;
  }

  // An attach's stdio, both ways, until the container's exit (see bridgeStdio).
  private bridgeAttach(
    record: ContainerRecord,
    open: types.AttachOpen,
    call: StdioCall,
    session: MonitorSession,
    beforeExit?: () => Promise<unknown>,
  ): Promise<void> {
    return bridgeStdio({
      session,
      input: call.input,
      write: call.write,
      wants: { stdin: open.stdin, stdout: open.stdout, stderr: open.stderr },
      exitStatus: async () => exitStatusOf(await this.waitForExit(record, call.signal)),
      beforeExit,
      signal: call.signal,
    });
  }

  async start(id: string): Promise<runtime.ContainerState> {
    return this.locks.run(id, async () => {
      const record = this.record(id);
      const state = await containerState(this.ctx, record);
      if (state.status !== Status.STATUS_CREATED) throw failedPrecondition(`container ${id} cannot be started: it is ${statusName(state.status)}`);
      await this.oci(record).start(id);
      // Set before the save so that a concurrent State already reports it running.
      record.startedAt = new Date().toISOString();
      saveRecord(this.ctx.paths.container(id).record, record);
      return containerState(this.ctx, record);
    });
  }

  async kill(id: string, signal: number): Promise<void> {
    const record = this.record(id);
    const state = await containerState(this.ctx, record);
    if (state.status === Status.STATUS_STOPPED) throw failedPrecondition(`container ${id} is not running`);
    await this.oci(record).kill(id, signal || 15);
  }

  async delete(id: string, force: boolean): Promise<void> {
    const parent = await this.locks.run(id, async () => {
      const record = this.record(id);
      const state = await containerState(this.ctx, record);
      const active = state.status === Status.STATUS_RUNNING || state.status === Status.STATUS_PAUSED;
      if (active && !force) {
        throw failedPrecondition(`cannot delete container ${id}: it is ${statusName(state.status)}; stop it first or force the removal`);
      }
      this.exits.unwatch(this.ctx.paths.container(id).exitFile);
      try {
        await teardownContainer(this.ctx, record);
      } catch (err) {
        this.watchExit(record); // still here, so still released when it exits
        throw err;
      }
      this.records.delete(id);
      return record.cgroupParent;
    });
    // An earlier parent goes once empty (rmdir refuses one still holding a container's cgroup).
    if (parent !== this.ctx.cgroupParent) await this.dropParent(parent);
  }

  async state(id: string): Promise<runtime.ContainerState> {
    return this.stateReleasing(this.record(id));
  }

  async list(): Promise<runtime.ContainerState[]> {
    return Promise.all([...this.records.values()].map((record) => this.stateReleasing(record)));
  }

  // A container seen stopped is released before it is reported (docker's order, too).
  private async stateReleasing(record: ContainerRecord): Promise<runtime.ContainerState> {
    const state = await containerState(this.ctx, record);
    if (state.status === Status.STATUS_STOPPED && !record.released) await this.releaseQuietly(record);
    return state;
  }

  // The exit file, or an unknown exit if the monitor dies without writing one.
  async wait(id: string, signal?: AbortSignal): Promise<types.ExitStatus> {
    const record = this.record(id);
    const exit = await this.waitForExit(record, signal);
    await this.releaseQuietly(record);
    return exitStatusOf(exit);
  }

  private async waitForExit(record: ContainerRecord, signal?: AbortSignal): Promise<MonitorExit> {
    const paths = this.ctx.paths.container(record.id);
    const done = new AbortController();
    const stop = AbortSignal.any([done.signal, this.closing.signal, ...(signal ? [signal] : [])]);
    const monitorGone = async (): Promise<MonitorExit> => {
      while (!stop.aborted) {
        await sleep(MONITOR_POLL_MS, stop);
        if (stop.aborted) break;
        if (!(await this.ctx.monitor.isAlive(paths.monitorPidFile))) {
          const exit = await exitOf(this.ctx, record, await this.oci(record).state(record.id).catch(() => undefined));
          if (exit) return exit;
        }
      }
      return new Promise<never>(() => undefined);
    };
    try {
      return await Promise.race([this.ctx.monitor.waitExit(paths.exitFile, stop), monitorGone()]);
    } finally {
      done.abort();
    }
  }

  async *logs(request: types.LogsRequest, signal: AbortSignal): AsyncGenerator<types.LogEntry> {
    const record = this.record(request.id);
    const paths = this.ctx.paths.container(record.id);
    const stopWhen = async (): Promise<boolean> =>
      (await this.ctx.monitor.readExit(paths.exitFile)) !== undefined || !(await this.ctx.monitor.isAlive(paths.monitorPidFile));
    const options = {
      follow: request.follow,
      tail: request.tail,
      signal: AbortSignal.any([signal, this.closing.signal]),
      stopWhen,
      ...(request.since ? { since: request.since } : {}),
      ...(request.until ? { until: request.until } : {}),
    };
    for await (const entry of this.ctx.monitor.readLog(paths.logPath, options)) {
      yield {
        stream: entry.stream === 'stdout' ? OutputStream.OUTPUT_STREAM_STDOUT : OutputStream.OUTPUT_STREAM_STDERR,
        data: entry.data,
        time: entry.time,
      };
    }
  }

  async attach(open: types.AttachOpen, call: StdioCall): Promise<void> {
    if (open.afterCreate) {
      const launched = await this.createSentWith(open.id, call.signal);
      if (launched) {
        if (!open.logs && (await this.attachLaunched(launched.record, launched.creating, open, call))) return;
        await launched.creating;
      }
    }
    const record = this.record(open.id);
    const paths = this.ctx.paths.container(record.id);
    const replayLog = async (): Promise<void> => {
      for await (const entry of this.ctx.monitor.readLog(paths.logPath, { follow: false, tail: -1, signal: call.signal })) {
        if ((entry.stream === 'stdout' && open.stdout) || (entry.stream === 'stderr' && open.stderr)) call.write(outputFrame(entry.stream, entry.data, entry.time));
      }
    };
    if (open.logs) await replayLog();
    const state = await containerState(this.ctx, record);
    if (state.status === Status.STATUS_STOPPED) {
      // A container that ended before the attach sent along with its create got to it (the
      // monitor held its output for a while, then logged it) has all it wrote in its log.
      if (open.afterCreate && !open.logs) await replayLog();
      call.write(readyFrame);
      call.write(exitFrame({ exitCode: state.exitCode, oomKilled: state.oomKilled, finishedAt: state.finishedAt }));
      return;
    }
    await this.bridgeAttach(record, open, call, await this.ctx.monitor.attach(paths.socketPath));
  }

  async exec(open: types.ExecOpen, call: StdioCall): Promise<void> {
    const record = this.record(open.id);
    const state = await containerState(this.ctx, record);
    if (state.status !== Status.STATUS_RUNNING) throw failedPrecondition(`container ${open.id} is not running`);
    await this.execs.run(record, open, call);
  }

  async resize(id: string, size: types.TerminalSize | undefined): Promise<void> {
    const record = this.record(id);
    if (!record.spec.tty || !size || size.rows === 0 || size.cols === 0) return;
    const state = await containerState(this.ctx, record);
    if (state.status === Status.STATUS_STOPPED) throw failedPrecondition(`container ${id} is not running`);
    const session = await this.ctx.monitor.attach(this.ctx.paths.container(id).socketPath);
    try {
      session.resize(size.rows, size.cols);
    } finally {
      session.close();
    }
  }

  async pause(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      const record = this.record(id);
      const state = await containerState(this.ctx, record);
      if (state.status === Status.STATUS_PAUSED) throw failedPrecondition(`container ${id} is already paused`);
      if (state.status !== Status.STATUS_RUNNING) throw failedPrecondition(`container ${id} is not running`);
      await this.oci(record).pause(id);
      record.paused = true;
      saveRecord(this.ctx.paths.container(id).record, record);
    });
  }

  async resume(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      const record = this.record(id);
      const state = await containerState(this.ctx, record);
      if (state.status !== Status.STATUS_PAUSED) throw failedPrecondition(`container ${id} is not paused`);
      await this.oci(record).resume(id);
      delete record.paused;
      saveRecord(this.ctx.paths.container(id).record, record);
    });
  }

  async top(request: types.TopRequest): Promise<types.TopResponse> {
    const record = this.record(request.id);
    const state = await containerState(this.ctx, record);
    if (state.status !== Status.STATUS_RUNNING && state.status !== Status.STATUS_PAUSED) {
      throw failedPrecondition(`container ${request.id} is not running`);
    }
    return topProcesses(await this.oci(record).pids(request.id), request.psArgs);
  }
}

// Reads a session's events only so that the monitor never blocks on a full socket.
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function statusName(status: runtime.Status): string {
  switch (status) {
    case Status.STATUS_CREATED:
      return 'created';
    case Status.STATUS_RUNNING:
      return 'running';
    case Status.STATUS_PAUSED:
      return 'paused';
    case Status.STATUS_STOPPED:
      return 'stopped';
    default:
      return 'in an unknown state';
  }
}

export { UNKNOWN_EXIT_CODE };
