import { BerthError, ErrorCode } from '@berth/errors';
import { PullCoordinator, type PullBackend } from './coordinator';
import type { PullEvent, PullListener, PullOutcome, PullRequest } from './events';
import { pullJobId } from './job-id';
import { applyEvent, emptyState, replay } from './progress-state';
import { runJob } from './worker';

describe('pullJobId', () => {
  it('is the same for every spelling of one image and platform', () => {
    const id = pullJobId('busybox', '');
    expect(pullJobId('busybox:latest', '')).toBe(id);
    expect(pullJobId('docker.io/library/busybox:latest', '')).toBe(id);
    expect(id).toMatch(/^pull-[0-9a-f]{32}$/);
  });

  it('differs by tag, registry and platform', () => {
    const id = pullJobId('busybox', '');
    expect(pullJobId('busybox:1', '')).not.toBe(id);
    expect(pullJobId('127.0.0.1:5001/busybox', '')).not.toBe(id);
    expect(pullJobId('busybox', 'linux/arm64')).not.toBe(id);
    expect(pullJobId('busybox', 'linux/arm64')).toBe(pullJobId('busybox', 'Linux/ARM64'));
  });

  it('refuses a bad reference', () => {
    expect(() => pullJobId('a b', '')).toThrow();
  });
});

const layer = (id: string, status: Extract<PullEvent, { type: 'layer' }>['status'], current?: number): PullEvent => ({ type: 'layer', id, digest: `sha256:${id}`, status, ...(current === undefined ? {} : { current, total: 10 }) });
const resolved: PullEvent = { type: 'resolved', reference: 'r', digest: 'sha256:d', layers: [{ id: 'a', digest: 'sha256:a', size: 10 }, { id: 'b', digest: 'sha256:b', size: 10 }] };

describe('progress state', () => {
  it('keeps the last event of each layer, in first-seen order', () => {
    let state = emptyState();
    for (const e of [resolved, layer('a', 'waiting'), layer('b', 'waiting'), layer('a', 'downloading', 5), layer('b', 'complete')]) state = applyEvent(state, e);
    expect(replay(state)).toEqual([resolved, layer('a', 'downloading', 5), layer('b', 'complete')]);
  });
});

// A backend whose jobs the test finishes by hand; it counts the jobs it was asked to queue.
class FakeBackend implements PullBackend {
  readonly jobs = new Map<string, { emit: PullListener; finish: (o: PullOutcome) => void }>();
  submitted = 0;

  submit(jobId: string, _request: PullRequest, onEvent: PullListener): Promise<PullOutcome> {
    this.submitted++;
    return new Promise((resolve) => this.jobs.set(jobId, { emit: onEvent, finish: resolve }));
  }
}

const request = (reference: string): PullRequest => ({ reference, platform: '' });
const done: PullOutcome = { ok: true, reference: 'docker.io/library/busybox:latest', digest: 'sha256:d', imageId: 'sha256:i', upToDate: false };

describe('PullCoordinator', () => {
  it('shares one job between concurrent pulls of the same image, and each sees the progress', async () => {
    const backend = new FakeBackend();
    const coordinator = new PullCoordinator(backend);
    const first: PullEvent[] = [];
    const second: PullEvent[] = [];
    const a = coordinator.pull(request('busybox'), (e) => first.push(e));
    const job = [...backend.jobs.values()][0]!;
    job.emit(resolved);
    job.emit(layer('a', 'downloading', 5));
    // Joins late: gets the state so far, then what follows.
    const b = coordinator.pull(request('docker.io/library/busybox:latest'), (e) => second.push(e));
    job.emit(layer('a', 'complete'));
    job.finish(done);
    await expect(a).resolves.toMatchObject({ imageId: 'sha256:i' });
    await expect(b).resolves.toMatchObject({ imageId: 'sha256:i' });
    expect(backend.submitted).toBe(1);
    expect(first).toEqual([resolved, layer('a', 'downloading', 5), layer('a', 'complete')]);
    expect(second).toEqual([resolved, layer('a', 'downloading', 5), layer('a', 'complete')]);
    expect(coordinator.activeJobs).toBe(0);
  });

  it('queues a fresh job once the last one finished, and separate jobs for separate images', async () => {
    const backend = new FakeBackend();
    const coordinator = new PullCoordinator(backend);
    const a = coordinator.pull(request('busybox'), () => undefined);
    const other = coordinator.pull(request('alpine'), () => undefined);
    expect(backend.submitted).toBe(2);
    for (const job of backend.jobs.values()) job.finish(done);
    await Promise.all([a, other]);
    const again = coordinator.pull(request('busybox'), () => undefined);
    expect(backend.submitted).toBe(3);
    backend.jobs.get(pullJobId('busybox', ''))!.finish(done);
    await again;
  });

  it('lets a client leave without stopping the job for the others', async () => {
    const backend = new FakeBackend();
    const coordinator = new PullCoordinator(backend);
    const controller = new AbortController();
    const leaving: PullEvent[] = [];
    const a = coordinator.pull(request('busybox'), (e) => leaving.push(e), controller.signal);
    const b = coordinator.pull(request('busybox'), () => undefined);
    controller.abort();
    await expect(a).rejects.toMatchObject({ code: ErrorCode.Canceled });
    const job = [...backend.jobs.values()][0]!;
    job.emit(resolved);
    job.finish(done);
    await expect(b).resolves.toMatchObject({ upToDate: false });
    expect(leaving).toEqual([]);
  });

  it("gives every waiter the job's error with its code", async () => {
    const backend = new FakeBackend();
    const coordinator = new PullCoordinator(backend);
    const a = coordinator.pull(request('nope'), () => undefined);
    const b = coordinator.pull(request('nope'), () => undefined);
    [...backend.jobs.values()][0]!.finish({ ok: false, code: ErrorCode.NotFound, message: 'manifest unknown' });
    await expect(a).rejects.toMatchObject({ code: ErrorCode.NotFound, message: 'manifest unknown' });
    await expect(b).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});

describe('runJob', () => {
  const success = { reference: 'r', digest: 'sha256:d', imageId: 'sha256:i', upToDate: true };

  it('stores each event with the state so far, and returns the result', async () => {
    const stored: unknown[] = [];
    const outcome = await runJob({ data: request('busybox'), updateProgress: async (p) => void stored.push(p) }, async (_r, emit) => {
      emit(resolved);
      emit(layer('a', 'exists'));
      return success;
    });
    expect(outcome).toEqual({ ok: true, ...success });
    expect(stored).toEqual([
      { event: resolved, state: { resolved, layers: [] } },
      { event: layer('a', 'exists'), state: { resolved, layers: [layer('a', 'exists')] } },
    ]);
  });

  it("completes with the store's errors, code and all, and fails the job on anything else", async () => {
    const job = { data: request('busybox'), updateProgress: async () => undefined };
    await expect(runJob(job, async () => Promise.reject(new BerthError(ErrorCode.NotFound, 'no such image')))).resolves.toEqual({ ok: false, code: ErrorCode.NotFound, message: 'no such image' });
    await expect(runJob(job, async () => Promise.reject(new BerthError(ErrorCode.Unavailable, 'registry down')))).resolves.toMatchObject({ ok: false, code: ErrorCode.Unavailable });
    await expect(runJob(job, async () => Promise.reject(new BerthError(ErrorCode.Canceled, 'worker closing')))).rejects.toThrow('worker closing');
    await expect(runJob(job, async () => Promise.reject(new TypeError('a bug')))).rejects.toThrow('a bug');
  });
});
