import { randomBytes } from 'node:crypto';
import { conflict, ErrorCode, errorMessageOf, isBerthError } from '@berth/errors';
import { daemon, runtime, type imagestore, type types } from '@berth/proto';
import { parseSignal } from '@berth/signals';
import type { ContainerRecord } from './container-record';
import { containerFilter } from './container-filters';
import { planContainer } from './container-plan';
import { ContainerRegistry } from './container-registry';
import { KeyedMutex } from '@berth/keyed-mutex';
import { generateName, validateContainerName } from './names';
import type { CreateStart, EventSink, ImageStorePort, Logger, RuntimePort } from './ports';
import type { RecordStore } from './record-store';
import { dockerState } from './state-view';

export interface CreateOptions {
  start?: CreateStart;
  onRuntimeCreate?: (id: string) => void;
  // With start, for a --rm container: the caller sees its exit (run's attached stream) and calls
  // retire, or, should it stop watching first, removeWhenExited. Spares a Wait to the runtime.
  exitSeenByCaller?: boolean;
}

const { Status } = runtime;
const SIGKILL = 9;
const DEFAULT_STOP_TIMEOUT_S = 10;

export interface ContainerServiceDeps {
  records: RecordStore;
  images: ImageStorePort;
  runtime: RuntimePort;
  events: EventSink;
  logger: Logger;
  cpuCount: number;
}

function ignoreNotFound(err: unknown): void {
  if (!isBerthError(err, ErrorCode.NotFound)) throw err;
}

// Container lifecycle as docker's daemon presents it, over the image store and runtime ports.
export class ContainerService {
  private readonly registry = new ContainerRegistry();
  private readonly locks = new KeyedMutex();
  private readonly autoRemoveWatches = new Map<string, AbortController>();

  constructor(private readonly deps: ContainerServiceDeps) {}

  async load(): Promise<void> {
    for (const record of await this.deps.records.load()) this.registry.put(record);
  }

  // Removes what a crash left half-made and re-arms --rm watchers. Safe to run again.
  async reconcile(): Promise<void> {
    const { runtime: rt, images, logger } = this.deps;
    for (const state of await rt.list()) {
      if (this.registry.has(state.id)) continue;
      logger.warn(`removing orphaned runtime container ${state.id}`);
      await rt.delete(state.id, true).catch(ignoreNotFound);
    }
    for (const snapshot of await images.listSnapshots()) {
      if (this.registry.has(snapshot.key)) continue;
      logger.warn(`removing orphaned snapshot ${snapshot.key}`);
      await images.removeSnapshot(snapshot.key).catch(ignoreNotFound);
    }
    for (const record of this.registry.all()) {
      if (record.hostConfig.autoRemove) this.watchAutoRemove(record.id);
    }
  }

  close(): void {
    for (const watch of this.autoRemoveWatches.values()) watch.abort();
    this.autoRemoveWatches.clear();
  }

  resolve(ref: string): ContainerRecord {
    return this.registry.resolve(ref);
  }

  imageIdsInUse(): string[] {
    return [...new Set(this.registry.all().map((record) => record.imageId))];
  }

  // With start, the container also starts (docker run, in one step with the runtime): then a --rm
  // one is removed once it exits, as after start. onRuntimeCreate hears the container's ID just
  // before its runtime create is sent (run sends its attach along).
  async create(request: Omit<daemon.CreateContainerRequest, 'start'>, options: CreateOptions = {}): Promise<daemon.CreateContainerResponse> {
    const { start } = options;
    const config = daemon.ContainerConfig.fromPartial(request.config ?? {});
    const hostConfig = daemon.HostConfig.fromPartial(request.hostConfig ?? {});
    const id = randomBytes(32).toString('hex');
    const name = request.name ? validateContainerName(request.name) : generateName((n) => this.registry.nameTaken(n));
    this.registry.claimName(name, id);
    // The image store makes the snapshot and answers with the image it was made of: one round
    // trip on the way to the runtime. (A store that leaves the image out is asked for it.)
    let snapshot: imagestore.Snapshot | undefined;
    let image: types.Image;
    let plan: ReturnType<typeof planContainer>;
    try {
      snapshot = await this.deps.images.prepareSnapshot(id, config.image);
      image = snapshot.image ?? (await this.deps.images.get(snapshot.imageId));
      plan = planContainer({ id, config, hostConfig, image, cpuCount: this.deps.cpuCount });
    } catch (err) {
      if (snapshot !== undefined) await this.deps.images.removeSnapshot(id).catch((cleanupErr: unknown) => this.cleanupFailed(id, cleanupErr));
      throw err;
    }
    const { mounts } = snapshot;
    return this.locks.run(id, async () => {
      const record: ContainerRecord = {
        id,
        name,
        created: new Date().toISOString(),
        image: config.image,
        imageId: image.id,
        config: { ...config, image: config.image },
        hostConfig,
        path: plan.path,
        args: plan.args,
        spec: plan.spec,
        restartCount: 0,
      };
      let saving: Promise<void> | undefined;
      try {
        // Checked again under the lock: two creates may race for one name.
        this.registry.claimName(name, id);
        this.registry.put(record);
        record.spec = { ...plan.spec, rootfs: mounts };
        options.onRuntimeCreate?.(id);
        // The record is written while the runtime creates: a failure of either discards both.
        saving = this.deps.records.save(record);
        await Promise.all([this.deps.runtime.create(record.spec, start), saving]);
      } catch (err) {
        this.registry.delete(id);
        await saving?.catch(() => undefined); // so that the discard removes what it wrote
        await this.discard(id);
        throw err;
      }
      this.emit('create', record);
      if (start?.start === true) {
        this.emit('start', record);
        if (record.hostConfig.autoRemove && options.exitSeenByCaller !== true) this.watchAutoRemove(record.id);
      }
      return { id, warnings: plan.warnings };
    });
  }

  private async discard(id: string): Promise<void> {
    await this.deps.runtime.delete(id, true).catch((err: unknown) => this.cleanupFailed(id, err));
    await this.deps.images.removeSnapshot(id).catch((err: unknown) => this.cleanupFailed(id, err));
    await this.deps.records.delete(id);
  }

  private cleanupFailed(id: string, err: unknown): void {
    if (!isBerthError(err, ErrorCode.NotFound)) this.deps.logger.error(`cleanup of ${id}: ${errorMessageOf(err)}`);
  }

  private async runtimeState(id: string): Promise<runtime.ContainerState | undefined> {
    try {
      return await this.deps.runtime.state(id);
    } catch (err) {
      ignoreNotFound(err);
      return undefined;
    }
  }

  async start(ref: string): Promise<void> {
    const record = this.registry.resolve(ref);
    try {
      await this.locks.run(record.id, async () => {
        const state = await this.makeStartable(record);
        if (state === 'running') return;
        await this.deps.runtime.start(record.id);
        this.emit('start', record);
      });
    } catch (err) {
      // A --rm container that could not start is removed, as docker does.
      if (record.hostConfig.autoRemove) await this.remove(record.id, true).catch(() => undefined);
      throw err;
    }
    if (record.hostConfig.autoRemove) this.watchAutoRemove(record.id);
  }

  // Brings the runtime container to 'created' unless it already runs. runc cannot start a
  // container twice, so a stopped one is made afresh on the same snapshot.
  private async makeStartable(record: ContainerRecord): Promise<'running' | 'created'> {
    const state = await this.runtimeState(record.id);
    if (state?.status === Status.STATUS_RUNNING) return 'running';
    if (state?.status === Status.STATUS_PAUSED) throw conflict('cannot start a paused container, try unpause instead');
    if (state === undefined || state.status === Status.STATUS_STOPPED) {
      await this.deps.runtime.delete(record.id, true).catch(ignoreNotFound);
      await this.deps.runtime.create(record.spec);
    }
    return 'created';
  }

  // For attach: `prepareStart` (the client starts it next) readies a stopped container; a plain
  // attach to a stopped container is refused, as docker does.
  async prepareAttach(ref: string, prepareStart: boolean): Promise<ContainerRecord> {
    const record = this.registry.resolve(ref);
    await this.locks.run(record.id, async () => {
      if (prepareStart) {
        await this.makeStartable(record);
        return;
      }
      const state = await this.runtimeState(record.id);
      if (state?.status === Status.STATUS_STOPPED) throw conflict('You cannot attach to a stopped container, start it first');
      if (state?.status === Status.STATUS_PAUSED) throw conflict('You cannot attach to a paused container, unpause it first');
    });
    return record;
  }

  // A --rm container whose exit a `run` is about to hand its client: it leaves the daemon's view
  // now (its name free, gone from ps and inspect), as it has when docker run --rm returns, and
  // its runtime state, snapshot and record go in the background. A daemon stopped meanwhile
  // finds the record at its next start and removes the rest then (reconcile's auto-remove).
  retire(id: string): void {
    const record = this.registry.has(id) ? this.registry.resolve(id) : undefined;
    if (!record?.hostConfig.autoRemove) return;
    this.registry.delete(id);
    this.autoRemoveWatches.get(id)?.abort();
    void this.locks
      .run(id, () => this.discard(id))
      .then(
        () => this.emit('destroy', record),
        (err: unknown) => this.deps.logger.warn(`auto-remove of ${id}: ${errorMessageOf(err)}`),
      );
  }

  // For a caller that said it would see the exit (exitSeenByCaller) and no longer can: a --rm
  // container still there is removed once it exits.
  removeWhenExited(id: string): void {
    if (this.registry.has(id) && this.registry.resolve(id).hostConfig.autoRemove) this.watchAutoRemove(id);
  }

  private watchAutoRemove(id: string): void {
    if (this.autoRemoveWatches.has(id)) return;
    const controller = new AbortController();
    this.autoRemoveWatches.set(id, controller);
    this.deps.runtime
      .wait(id, controller.signal)
      .then(() => this.remove(id, true))
      .catch((err: unknown) => {
        if (!controller.signal.aborted && !isBerthError(err, ErrorCode.NotFound)) {
          this.deps.logger.warn(`auto-remove of ${id}: ${errorMessageOf(err)}`);
        }
      })
      .finally(() => this.autoRemoveWatches.delete(id));
  }

  async describe(record: ContainerRecord, state?: runtime.ContainerState): Promise<daemon.Container> {
    const current = state ?? (await this.runtimeState(record.id));
    return daemon.Container.fromPartial({
      id: record.id,
      name: `/${record.name}`,
      created: record.created,
      image: record.image,
      imageId: record.imageId,
      path: record.path,
      args: record.args,
      state: dockerState(current),
      config: record.config,
      hostConfig: record.hostConfig,
      logPath: current?.logPath ?? '',
      driver: 'overlay2',
      platform: 'linux',
      restartCount: record.restartCount,
      rootfs: record.spec.rootfs,
    });
  }

  async inspect(ref: string): Promise<daemon.Container> {
    return this.describe(this.registry.resolve(ref));
  }

  async list(request: daemon.ListContainersRequest): Promise<daemon.Container[]> {
    const matches = containerFilter(request.filters);
    const states = new Map((await this.deps.runtime.list()).map((state) => [state.id, state]));
    const containers = await Promise.all(this.registry.all().map((record) => this.describe(record, states.get(record.id))));
    return containers
      .filter((container) => request.all || container.state?.running === true)
      .filter(matches)
      .sort((a, b) => b.created.localeCompare(a.created));
  }

  async stop(request: daemon.StopContainerRequest): Promise<void> {
    const record = this.registry.resolve(request.id);
    await this.locks.run(record.id, () => this.stopLocked(record, request.timeout, request.signal));
  }

  private async stopLocked(record: ContainerRecord, timeout: number, signal: string): Promise<void> {
    const state = await this.runtimeState(record.id);
    if (state?.status !== Status.STATUS_RUNNING && state?.status !== Status.STATUS_PAUSED) return;
    const stopSignal = parseSignal(signal || record.config.stopSignal || 'SIGTERM');
    const seconds = timeout >= 0 ? timeout : record.config.stopTimeout > 0 ? record.config.stopTimeout : DEFAULT_STOP_TIMEOUT_S;
    if (state.status === Status.STATUS_PAUSED) await this.deps.runtime.resume(record.id);
    await this.deps.runtime.kill(record.id, stopSignal).catch(ignoreNotRunning);
    const exited = await this.waitFor(record.id, seconds * 1000);
    if (!exited) {
      await this.deps.runtime.kill(record.id, SIGKILL).catch(ignoreNotRunning);
      await this.deps.runtime.wait(record.id);
    }
    this.emit('stop', record);
  }

  private async waitFor(id: string, ms: number): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    try {
      await this.deps.runtime.wait(id, controller.signal);
      return true;
    } catch (err) {
      if (controller.signal.aborted) return false;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async restart(request: daemon.StopContainerRequest): Promise<void> {
    const record = this.registry.resolve(request.id);
    await this.locks.run(record.id, () => this.stopLocked(record, request.timeout, request.signal));
    await this.start(record.id);
    record.restartCount += 1;
    await this.deps.records.save(record);
  }

  async kill(ref: string, signal: string): Promise<void> {
    const record = this.registry.resolve(ref);
    const number = parseSignal(signal || 'SIGKILL');
    const state = await this.runtimeState(record.id);
    if (state?.status !== Status.STATUS_RUNNING && state?.status !== Status.STATUS_PAUSED) {
      throw conflict(`cannot kill container: ${ref}: container ${record.id} is not running`);
    }
    await this.deps.runtime.kill(record.id, number);
    this.emit('kill', record);
  }

  async remove(ref: string, force: boolean): Promise<void> {
    const record = this.registry.resolve(ref);
    await this.locks.run(record.id, async () => {
      if (!this.registry.has(record.id)) return;
      const state = await this.runtimeState(record.id);
      const running = state?.status === Status.STATUS_RUNNING || state?.status === Status.STATUS_PAUSED;
      if (running && !force) {
        throw conflict(
          `cannot remove container "/${record.name}": container is ${state?.status === Status.STATUS_PAUSED ? 'paused' : 'running'}: stop the container before removing or force remove`,
        );
      }
      await this.deps.runtime.delete(record.id, true).catch(ignoreNotFound);
      await this.deps.images.removeSnapshot(record.id).catch(ignoreNotFound);
      await this.deps.records.delete(record.id);
      this.registry.delete(record.id);
      this.autoRemoveWatches.get(record.id)?.abort();
      this.emit('destroy', record);
    });
  }

  async wait(ref: string, signal?: AbortSignal): Promise<types.ExitStatus> {
    const record = this.registry.resolve(ref);
    return this.deps.runtime.wait(record.id, signal);
  }

  async rename(ref: string, newName: string): Promise<void> {
    const record = this.registry.resolve(ref);
    const name = validateContainerName(newName);
    await this.locks.run(record.id, async () => {
      this.registry.claimName(name, record.id);
      record.name = name;
      await this.deps.records.save(record);
    });
    this.emit('rename', record);
  }

  async pause(ref: string): Promise<void> {
    const record = await this.requireRunning(ref);
    await this.deps.runtime.pause(record.id);
    this.emit('pause', record);
  }

  async unpause(ref: string): Promise<void> {
    const record = this.registry.resolve(ref);
    const state = await this.runtimeState(record.id);
    if (state?.status !== Status.STATUS_PAUSED) throw conflict(`Container ${record.id} is not paused`);
    await this.deps.runtime.resume(record.id);
    this.emit('unpause', record);
  }

  async resize(ref: string, size: types.TerminalSize): Promise<void> {
    const record = await this.requireRunning(ref);
    await this.deps.runtime.resize(record.id, size);
  }

  async top(request: types.TopRequest): Promise<types.TopResponse> {
    const record = await this.requireRunning(request.id);
    return this.deps.runtime.top({ ...request, id: record.id });
  }

  // For exec and top: docker refuses both on containers that are not running.
  async requireRunning(ref: string): Promise<ContainerRecord> {
    const record = this.registry.resolve(ref);
    const state = await this.runtimeState(record.id);
    if (state?.status === Status.STATUS_PAUSED) throw conflict(`Container ${record.id} is paused, unpause the container before exec`);
    if (state?.status !== Status.STATUS_RUNNING) throw conflict(`Container ${record.id} is not running`);
    return record;
  }

  counts(): { total: number } {
    return { total: this.registry.all().length };
  }

  private emit(action: string, record: ContainerRecord): void {
    this.deps.events.emit({ action, id: record.id, attributes: { name: record.name, image: record.image } });
  }
}

function ignoreNotRunning(err: unknown): void {
  if (isBerthError(err, ErrorCode.FailedPrecondition) || isBerthError(err, ErrorCode.NotFound)) return;
  throw err;
}
