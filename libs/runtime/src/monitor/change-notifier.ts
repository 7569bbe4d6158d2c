import { watch, type FSWatcher } from 'node:fs';

// Wakes a waiter when a file changes, or after a while anyway: fs.watch can miss events (and
// cannot watch a file that does not exist yet), so the timeout doubles as a slow poll.
export class ChangeNotifier {
  private watcher: FSWatcher | undefined;
  private changed = false;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(private readonly path: string) {}

  // Resolves on a change since the last wait, after timeoutMs, or when signal aborts.
  async wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    this.ensureWatching();
    if (this.changed || this.closed || signal?.aborted) {
      this.changed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
    this.changed = false;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    this.wake?.();
  }

  private ensureWatching(): void {
    if (this.watcher || this.closed) return;
    try {
      this.watcher = watch(this.path, { persistent: false }, () => this.notify());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // Not there yet: the timeout keeps polling and a later wait tries again.
    }
  }

  private notify(): void {
    this.changed = true;
    this.wake?.();
  }
}
