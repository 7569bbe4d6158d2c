// A throwaway runc setup for monitor tests: one busybox rootfs, bundles that share it, a runc
// state root and a cgroup parent of their own, all removed by cleanup().
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { launchMonitor, monitorIsAlive, type MonitorLaunch } from '../../../libs/runtime/src/monitor';

export const REPO = resolve(__dirname, '../../..');
export const MONITOR = join(REPO, 'native/monitor/build/berth-monitor');
const APPLETS = ['sh', 'cat', 'stty', 'sleep', 'echo', 'kill', 'head', 'tr', 'true'];

export function runcPath(): string {
  return execFileSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).trim();
}

export function monitorSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (spawnSync('sh', ['-c', 'command -v runc']).status !== 0) return 'runc is not installed';
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed';
  if (!existsSync(MONITOR)) return 'the monitor is not built (make -C native/monitor)';
  return undefined;
}

export interface ContainerFiles {
  log: string;
  exit: string;
  socket: string;
  pid: string;
  monitorPid: string;
}

export interface BundleOptions {
  terminal?: boolean;
  memoryLimit?: number;
}

export class MonitorFixture {
  readonly dir = mkdtempSync('/tmp/berth-mon-');
  readonly state = join(this.dir, 'state');
  readonly rootfs = join(this.dir, 'rootfs');
  readonly cgroupParent = `berth-test-${randomBytes(4).toString('hex')}`;
  readonly runc = runcPath();
  private readonly ids = new Set<string>();
  private readonly monitorPidFiles: string[] = [];

  constructor() {
    mkdirSync(join(this.rootfs, 'bin'), { recursive: true });
    for (const d of ['proc', 'dev', 'sys', 'tmp']) mkdirSync(join(this.rootfs, d));
    copyFileSync('/bin/busybox', join(this.rootfs, 'bin/busybox'));
    for (const applet of APPLETS) symlinkSync('busybox', join(this.rootfs, 'bin', applet));
    mkdirSync(this.state);
  }

  bundle(id: string, args: string[], opts: BundleOptions = {}): string {
    const bundle = join(this.dir, 'bundles', id);
    mkdirSync(bundle, { recursive: true });
    execFileSync(this.runc, ['spec'], { cwd: bundle });
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as {
      process: { args: string[]; terminal: boolean };
      root: { path: string; readonly: boolean };
      linux: { cgroupsPath?: string; resources?: Record<string, unknown> };
    };
    config.process.args = args;
    config.process.terminal = opts.terminal ?? false;
    config.root = { path: this.rootfs, readonly: true };
    config.linux.cgroupsPath = `${this.cgroupParent}/${id}`;
    if (opts.memoryLimit) config.linux.resources = { ...config.linux.resources, memory: { limit: opts.memoryLimit } };
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    this.ids.add(id);
    return bundle;
  }

  files(name: string): ContainerFiles {
    const base = join(this.dir, 'files', name);
    mkdirSync(base, { recursive: true });
    return { log: join(base, 'log'), exit: join(base, 'exit'), socket: join(base, 'attach.sock'), pid: join(base, 'pid'), monitorPid: join(base, 'monitor.pid') };
  }

  launchOptions(id: string, files: ContainerFiles, extra: Partial<MonitorLaunch>): MonitorLaunch {
    this.monitorPidFiles.push(files.monitorPid);
    return {
      monitorBinary: MONITOR, id, runtimePath: this.runc, runtimeRoot: this.state, logPath: files.log, exitFile: files.exit,
      socketPath: files.socket, pidFile: files.pid, monitorPidFile: files.monitorPid, tty: false, stdin: false, ...extra,
    };
  }

  // Creates a container under a monitor; runc start is left to the test.
  // (With start, the monitor starts it too; with holdOutput, the first attach gets all output.)
  async create(id: string, args: string[], opts: BundleOptions & { stdin?: boolean; oom?: boolean; start?: boolean; holdOutput?: boolean } = {}) {
    const files = this.files(id);
    const bundle = this.bundle(id, args, opts);
    const oomSource = opts.oom ? join(this.cgroupDirs().find((d) => d.startsWith('/sys/fs/cgroup/memory/'))!, id, 'memory.oom_control') : undefined;
    const launched = await launchMonitor(
      this.launchOptions(id, files, { bundle, tty: opts.terminal ?? false, stdin: opts.stdin ?? false, oomSource, start: opts.start, holdOutput: opts.holdOutput }),
    );
    return { files, ...launched };
  }

  start(id: string): void {
    execFileSync(this.runc, ['--root', this.state, 'start', id]);
  }

  kill(id: string, signal = 'KILL'): void {
    spawnSync(this.runc, ['--root', this.state, 'kill', id, signal]);
  }

  // What a test may have left behind.
  async leftovers(): Promise<string[]> {
    const found: string[] = [];
    // A monitor lingers a moment after writing the exit file (it still hands clients the exit).
    for (const file of this.monitorPidFiles) {
      let alive = await monitorIsAlive(file);
      for (let i = 0; alive && i < 60; i++) {
        await new Promise((r) => setTimeout(r, 50));
        alive = await monitorIsAlive(file);
      }
      if (alive) found.push(`monitor still running: ${file}`);
    }
    for (const parent of this.cgroupDirs()) {
      for (const id of this.ids) if (existsSync(join(parent, id))) found.push(`cgroup ${join(parent, id)}`);
    }
    const listed = spawnSync(this.runc, ['--root', this.state, 'list', '-q'], { encoding: 'utf8' }).stdout.trim();
    if (listed) found.push(`runc containers: ${listed}`);
    return found;
  }

  // Where runc puts the cgroup parent in each hierarchy: a relative cgroupsPath lands under the
  // cgroup runc itself runs in (on a test host that may be nested, e.g. memory:/some/slice).
  cgroupDirs(): string[] {
    const own = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').map((line) => {
      const [, controllers = '', path = '/'] = line.split(':');
      return { names: controllers.split(',').map((c) => c.replace(/^name=/, '')), path };
    });
    return readdirSync('/sys/fs/cgroup').map((dir) => {
      const match = own.find((o) => (dir === 'unified' ? o.names.join() === '' : o.names.includes(dir)));
      return join('/sys/fs/cgroup', dir, match?.path ?? '/', this.cgroupParent);
    });
  }

  deleteAll(): void {
    for (const id of this.ids) spawnSync(this.runc, ['--root', this.state, 'delete', '--force', id]);
  }

  cleanup(): void {
    this.deleteAll();
    for (const file of this.monitorPidFiles) {
      try {
        const pid = Number(readFileSync(file, 'utf8'));
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('berth-monitor')) process.kill(pid, 'SIGKILL');
      } catch {
        // No pid file, or the monitor is gone: nothing to stop.
      }
    }
    for (const parent of this.cgroupDirs()) {
      if (!existsSync(parent)) continue;
      for (const child of readdirSync(parent, { withFileTypes: true })) if (child.isDirectory()) rmdirSync(join(parent, child.name));
      rmdirSync(parent);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
