import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitWatcher } from './exit-watcher';
import { readExitFile } from './monitor';

const EXIT = '{"exit_code":3,"oom_killed":false,"finished_at":"2026-01-01T00:00:00Z","signal":0}\n';

// As the monitor writes it: a temporary file renamed into place.
function writeExit(path: string): void {
  writeFileSync(`${path}.tmp`, EXIT);
  renameSync(`${path}.tmp`, path);
}

describe('ExitWatcher', () => {
  let dir: string;
  let watcher: ExitWatcher;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'exit-watcher-'));
  });
  afterEach(() => {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls back once the exit file appears, for that container only', async () => {
    watcher = new ExitWatcher(readExitFile, 60_000);
    const a = jest.fn();
    const b = jest.fn();
    const fired = new Promise<void>((resolve) => watcher.watch(join(dir, 'a.json'), () => (a(), resolve())));
    watcher.watch(join(dir, 'b.json'), b);
    writeExit(join(dir, 'a.json'));
    await fired;
    await new Promise((r) => setTimeout(r, 50));
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).not.toHaveBeenCalled();
  });

  it('fires at once for an exit that came before the watch, and the sweep catches missed events', async () => {
    watcher = new ExitWatcher(readExitFile, 20);
    writeExit(join(dir, 'early.json'));
    await new Promise<void>((resolve) => watcher.watch(join(dir, 'early.json'), resolve));
    // A reader that misses the first look: only the sweep can find it.
    let looks = 0;
    const reader = async (path: string): Promise<Awaited<ReturnType<typeof readExitFile>>> => (++looks < 3 ? undefined : readExitFile(path));
    const swept = new ExitWatcher(reader, 20);
    try {
      await new Promise<void>((resolve) => swept.watch(join(dir, 'early.json'), resolve));
      expect(looks).toBeGreaterThanOrEqual(3);
    } finally {
      swept.close();
    }
  });

  it('forgets unwatched containers', async () => {
    watcher = new ExitWatcher(readExitFile, 20);
    const gone = jest.fn();
    watcher.watch(join(dir, 'gone.json'), gone);
    watcher.unwatch(join(dir, 'gone.json'));
    writeExit(join(dir, 'gone.json'));
    await new Promise((r) => setTimeout(r, 100));
    expect(gone).not.toHaveBeenCalled();
  });
});
