import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { MonitorExit } from './monitor-port';

// A safety net for a missed change notification.
const SWEEP_MS = 2000;

interface Watched {
  exitFile: string;
  onExit: () => void;
}

// Calls back once a container's exit file appears. One watch on the exits directory (monitors
// write <id>.json by rename) serves every container, plus a slow sweep because fs.watch can miss
// events; per-container watches and polls would cost a file read per container every second.
export class ExitWatcher {
  private readonly watched = new Map<string, Watched>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly readExit: (path: string) => Promise<MonitorExit | undefined>,
    private readonly sweepMs = SWEEP_MS,
  ) {}

  watch(exitFile: string, onExit: () => void): void {
    if (this.closed) return;
    this.watched.set(basename(exitFile), { exitFile, onExit });
    this.ensureWatching(dirname(exitFile));
    this.check(basename(exitFile)); // it may have exited already
  }

  unwatch(exitFile: string): void {
    this.watched.delete(basename(exitFile));
    if (this.watched.size === 0) this.stop();
  }

  close(): void {
    this.closed = true;
    this.watched.clear();
    this.stop();
  }

  private ensureWatching(dir: string): void {
    this.timer ??= setInterval(() => this.watched.forEach((_, name) => this.check(name)), this.sweepMs).unref();
    if (this.watcher) return;
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename !== null) this.check(filename.toString());
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // The sweep still finds exits; the next watch() tries again.
    }
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(name: string): void {
    const entry = this.watched.get(name);
    if (!entry) return;
    this.readExit(entry.exitFile).then(
      (exit) => {
        // Still the same registration (not unwatched or replaced meanwhile)?
        if (!exit || this.watched.get(name) !== entry) return;
        this.unwatch(entry.exitFile);
        entry.onExit();
      },
      () => undefined, // unreadable for now (a partial write cannot happen: it is renamed in); the sweep retries
    );
  }
}
