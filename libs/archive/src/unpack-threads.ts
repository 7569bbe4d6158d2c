import { Worker } from 'node:worker_threads';

// How long a thread with nothing to unpack stays: enough for the next layer, or the next pull of a
// series, and not much more, since one that unpacked a big layer holds ~40 MB.
const IDLE_MS = 10_000;

interface Idle {
  worker: Worker;
  timer: NodeJS.Timeout;
}

/*
 * Unpacking threads, kept between layers: starting one (an isolate, the tar and archive modules,
 * their first compilation) costs ~40 ms of CPU and delays the layer's first bytes, and a pull of
 * several big layers, or pulls one after another, would pay it for each. Idle threads hold no
 * reference on the process and end after IDLE_MS.
 */
export class UnpackThreads {
  private readonly idle: Idle[] = [];
  private readonly all = new Set<Worker>();

  constructor(private readonly script: string) {}

  acquire(): Worker {
    const reused = this.idle.pop();
    if (reused) {
      clearTimeout(reused.timer);
      reused.worker.ref();
      return reused.worker;
    }
    const worker = new Worker(this.script);
    this.all.add(worker);
    worker.on('exit', () => this.forget(worker));
    // Failures reach the layer being unpacked through its own listener; this one keeps an idle
    // thread's failure from being unhandled.
    worker.on('error', () => undefined);
    return worker;
  }

  // A thread whose layer ended cleanly (done or failed, with every message answered).
  release(worker: Worker): void {
    if (!this.all.has(worker)) return;
    worker.unref();
    const timer = setTimeout(() => void this.discard(worker), IDLE_MS);
    timer.unref();
    this.idle.push({ worker, timer });
  }

  // A thread that may be in any state: it is ended rather than reused.
  async discard(worker: Worker): Promise<void> {
    this.forget(worker);
    await worker.terminate();
  }

  // Ends every thread, idle or not (a closing store, tests).
  async close(): Promise<void> {
    const workers = [...this.all];
    for (const worker of workers) this.forget(worker);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  get size(): number {
    return this.all.size;
  }

  private forget(worker: Worker): void {
    this.all.delete(worker);
    const at = this.idle.findIndex((i) => i.worker === worker);
    if (at >= 0) {
      clearTimeout(this.idle[at]!.timer);
      this.idle.splice(at, 1);
    }
  }
}
