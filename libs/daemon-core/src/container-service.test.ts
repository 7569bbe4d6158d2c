import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alreadyExists, BerthError, internal, notFound } from '@berth/errors';
import { daemon, imagestore, runtime, types } from '@berth/proto';
import { ContainerService } from './container-service';
import type { CreateStart, ImageStorePort, RuntimePort } from './ports';
import { FileRecordStore } from './record-store';

const IMAGE = types.Image.fromPartial({ id: 'sha256:' + 'b'.repeat(64), config: { cmd: ['sh'] } });

class FakeImages implements ImageStorePort {
  snapshots = new Set<string>();
  gets = 0;
  // Whether PrepareSnapshot answers with the image (as the real store does).
  snapshotsCarryImage = true;
  async get(ref: string) {
    this.gets++;
    if (ref !== 'busybox' && ref !== IMAGE.id) throw notFound(`No such image: ${ref}`);
    return IMAGE;
  }
  async list() { return [IMAGE]; }
  async remove() { return imagestore.RemoveImageResponse.fromPartial({}); }
  async tag() {}
  async prepareSnapshot(key: string, image = IMAGE.id) {
    const imageId = image === 'busybox' ? IMAGE.id : image;
    if (imageId !== IMAGE.id) throw notFound(`No such image: ${image}`);
    if (this.snapshots.has(key)) throw alreadyExists(`snapshot ${key} exists`);
    this.snapshots.add(key);
    return imagestore.Snapshot.fromPartial({ key, imageId, mounts: [{ type: 'overlay', source: imageId }], ...(this.snapshotsCarryImage ? { image: IMAGE } : {}) });
  }
  async getSnapshot(key: string) { return imagestore.Snapshot.fromPartial({ key }); }
  async removeSnapshot(key: string) { this.snapshots.delete(key); }
  async listSnapshots() { return [...this.snapshots].map((key) => imagestore.Snapshot.fromPartial({ key })); }
}

class FakeRuntime implements RuntimePort {
  containers = new Map<string, runtime.ContainerState>();
  failCreate = false;
  createdWith: CreateStart | undefined;
  createdSpec: runtime.ContainerSpec | undefined;
  async create(spec: runtime.ContainerSpec, options?: CreateStart) {
    if (this.failCreate) throw internal('runc create failed');
    this.createdWith = options;
    this.createdSpec = spec;
    const status = options?.start ? runtime.Status.STATUS_RUNNING : runtime.Status.STATUS_CREATED;
    const state = runtime.ContainerState.fromPartial({ id: spec.id, status });
    this.containers.set(spec.id, state);
    return state;
  }
  async start(id: string) {
    const state = this.must(id);
    state.status = runtime.Status.STATUS_RUNNING;
    return state;
  }
  async kill(id: string) {
    const state = this.must(id);
    state.status = runtime.Status.STATUS_STOPPED;
    state.exitCode = 143;
  }
  async delete(id: string) { this.must(id); this.containers.delete(id); }
  async state(id: string) { return this.must(id); }
  async list() { return [...this.containers.values()]; }
  async wait(id: string) { return types.ExitStatus.fromPartial({ exitCode: this.must(id).exitCode }); }
  async pause() {}
  async resume() {}
  async resize() {}
  async top() { return types.TopResponse.fromPartial({}); }
  private must(id: string) {
    const state = this.containers.get(id);
    if (!state) throw notFound(`no container ${id}`);
    return state;
  }
}

describe('ContainerService', () => {
  let dir: string;
  let images: FakeImages;
  let rt: FakeRuntime;
  let service: ContainerService;
  const logger = { info: () => {}, warn: () => {}, error: () => {} };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-daemon-'));
    images = new FakeImages();
    rt = new FakeRuntime();
    service = new ContainerService({ records: new FileRecordStore(dir), images, runtime: rt, events: { emit: () => {} }, logger, cpuCount: 2 });
    await service.load();
  });
  afterEach(() => {
    service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, starts, stops and removes', async () => {
    const { id } = await service.create({ name: 'web', config: { image: 'busybox' } as never, hostConfig: undefined });
    expect((await service.inspect('web')).state?.status).toBe('created');
    await service.start(id.slice(0, 6));
    expect((await service.inspect(id)).state?.status).toBe('running');
    await expect(service.remove('web', false)).rejects.toThrow(/container is running/);
    await service.stop({ id: 'web', timeout: 1, signal: '' });
    expect((await service.inspect('web')).state?.status).toBe('exited');
    await service.remove('web', false);
    expect(rt.containers.size).toBe(0);
    expect(images.snapshots.size).toBe(0);
    await expect(service.inspect('web')).rejects.toThrow('No such container: web');
  });

  it('creates and starts in one step for run, and removes a --rm container once it exits', async () => {
    const events: string[] = [];
    service.close();
    service = new ContainerService({ records: new FileRecordStore(dir), images, runtime: rt, events: { emit: (e) => events.push(e.action) }, logger, cpuCount: 2 });
    await service.load();
    const heard: string[] = [];
    const { id } = await service.create(
      { name: 'once', config: { image: 'busybox' } as never, hostConfig: { autoRemove: true } as never },
      { start: { start: true, holdOutput: true }, onRuntimeCreate: (created) => heard.push(created) },
    );
    expect(heard).toEqual([id]);
    expect(events).toEqual(['create', 'start']);
    expect(rt.createdWith).toEqual({ start: true, holdOutput: true });
    // The fake's wait answers at once, as if the container had exited right away.
    for (let i = 0; i < 50 && rt.containers.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rt.containers.size).toBe(0);
    expect(images.snapshots.size).toBe(0);
  });

  it('leaves a --rm container whose exit its caller sees to that caller, until the caller stops watching', async () => {
    const { id } = await service.create(
      { name: 'seen', config: { image: 'busybox' } as never, hostConfig: { autoRemove: true } as never },
      { start: { start: true, holdOutput: true }, exitSeenByCaller: true },
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(rt.containers.has(id)).toBe(true); // no Wait of its own (the fake's would have answered at once)
    service.removeWhenExited(id);
    for (let i = 0; i < 50 && rt.containers.has(id); i++) await new Promise((r) => setTimeout(r, 10));
    expect(rt.containers.has(id)).toBe(false);
    expect(images.snapshots.size).toBe(0);
  });

  it('retires a --rm container at once: gone from view, its name free, the rest removed in the background', async () => {
    const { id } = await service.create({ name: 'gone', config: { image: 'busybox' } as never, hostConfig: { autoRemove: true } as never });
    const { id: kept } = await service.create({ name: 'kept', config: { image: 'busybox' } as never, hostConfig: undefined });
    service.retire(id);
    service.retire(kept); // not --rm: stays
    await expect(service.inspect('gone')).rejects.toThrow('No such container: gone');
    expect((await service.list(daemon.ListContainersRequest.fromPartial({ all: true }))).map((c) => c.id)).toEqual([kept]);
    const { id: again } = await service.create({ name: 'gone', config: { image: 'busybox' } as never, hostConfig: undefined });
    for (let i = 0; i < 50 && rt.containers.has(id); i++) await new Promise((r) => setTimeout(r, 10));
    expect([...rt.containers.keys()].sort()).toEqual([kept, again].sort());
    expect(images.snapshots).toEqual(new Set([kept, again]));
    expect((await new FileRecordStore(dir).load()).map((r) => r.id).sort()).toEqual([kept, again].sort());
  });

  it('leaves nothing behind when the runtime fails', async () => {
    rt.failCreate = true;
    await expect(service.create({ name: 'x', config: { image: 'busybox' } as never, hostConfig: undefined })).rejects.toBeInstanceOf(BerthError);
    expect(images.snapshots.size).toBe(0);
    expect(await new FileRecordStore(dir).load()).toEqual([]);
    expect(() => service.resolve('x')).toThrow(/No such container/);
  });

  it('refuses a taken name and an unknown image', async () => {
    await service.create({ name: 'aa', config: { image: 'busybox' } as never, hostConfig: undefined });
    await expect(service.create({ name: 'aa', config: { image: 'busybox' } as never, hostConfig: undefined })).rejects.toThrow(/already in use/);
    await expect(service.create({ name: 'bb', config: { image: 'nope' } as never, hostConfig: undefined })).rejects.toThrow(/No such image/);
    await expect(service.create({ name: 'bad name', config: { image: 'busybox' } as never, hostConfig: undefined })).rejects.toThrow(/Invalid container name/);
    expect(images.snapshots.size).toBe(1);
  });

  it('drops the snapshot it asked for alongside the image when the plan is refused', async () => {
    const bad = { name: 'xx', config: { image: 'busybox' } as never, hostConfig: { memory: -1 } as never };
    await expect(service.create(bad)).rejects.toThrow(/invalid memory limit/);
    expect(images.snapshots.size).toBe(0);
    expect(rt.containers.size).toBe(0);
  });

  it('takes the image from the snapshot answer, and asks for it only of a store that leaves it out', async () => {
    const { id } = await service.create({ name: 'yy', config: { image: 'busybox' } as never, hostConfig: undefined });
    expect(images.gets).toBe(0);
    expect(rt.createdSpec?.rootfs[0]?.source).toBe(IMAGE.id);
    images.snapshotsCarryImage = false;
    const { id: other } = await service.create({ name: 'zz', config: { image: 'busybox' } as never, hostConfig: undefined });
    expect(images.gets).toBe(1);
    expect(images.snapshots).toEqual(new Set([id, other]));
  });

  it('reconciles orphans left by a crash', async () => {
    await rt.create(runtime.ContainerSpec.fromPartial({ id: 'orphan' }));
    await images.prepareSnapshot('orphan2');
    await service.reconcile();
    expect(rt.containers.size).toBe(0);
    expect(images.snapshots.size).toBe(0);
  });
});
