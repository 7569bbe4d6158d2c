// Starts real Berth stacks on temporary roots for integration tests and checks that they leave
// nothing behind.
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../..');
export const BERTH = join(REPO, 'bin/berth');

// Integration tests need root, runc and the built tree; they say so instead of failing when not.
export function integrationSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  for (const tool of ['runc', 'redis-server']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (run tools/setup.sh)`;
  }
  if (!existsSync(join(REPO, 'native/monitor/build/berth-monitor'))) return 'the monitor is not built (run tools/setup.sh)';
  return undefined;
}

export const describeIntegration = (name: string, fn: () => void): void => {
  const reason = integrationSkipReason();
  if (reason) {
    describe.skip(`${name} (SKIPPED: ${reason})`, fn);
    process.stderr.write(`SKIPPED integration suite "${name}": ${reason}\n`);
  } else {
    describe(name, fn);
  }
};

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

// One busybox tarball for the whole run (test files run in band, in jest's own process);
// global-teardown.js removes it.
export const BUSYBOX_DIR = `/tmp/berth-it-img-${process.pid}`;

export function busyboxTar(): string {
  const tarball = join(BUSYBOX_DIR, 'busybox.tar');
  if (!existsSync(tarball)) {
    mkdirSync(BUSYBOX_DIR, { recursive: true, mode: 0o700 });
    const partial = `${tarball}.${randomBytes(4).toString('hex')}`;
    execFileSync('bash', [join(REPO, 'tools/make-busybox-rootfs.sh'), partial], { stdio: 'inherit' });
    renameSync(partial, tarball);
  }
  return tarball;
}

/*
 * A BERTH_CONFIG directory of the test's own (the CLI keeps `berth login` credentials in
 * $BERTH_CONFIG/config.json), so tests never touch ~/.berth. Call use() in beforeAll and restore()
 * in afterAll: it puts the previous value back and removes the directory.
 */
export class ScratchBerthConfig {
  private madeParent: string | undefined;
  private previous: string | undefined;

  // Made on first use, not when a suite that may be skipped is collected (it runs no afterAll).
  get dir(): string {
    this.madeParent ??= mkdtempSync('/tmp/berth-it-config-');
    return join(this.madeParent, 'berth');
  }

  use(): void {
    this.previous = process.env.BERTH_CONFIG;
    process.env.BERTH_CONFIG = this.dir;
  }

  restore(): void {
    if (this.previous === undefined) delete process.env.BERTH_CONFIG;
    else process.env.BERTH_CONFIG = this.previous;
    if (this.madeParent !== undefined) rmSync(this.madeParent, { recursive: true, force: true });
    this.madeParent = undefined;
  }
}

export class Stack {
  private madeRoot: string | undefined;

  // Made on first use, not when a suite that may be skipped is collected (it runs no afterAll).
  get root(): string {
    this.madeRoot ??= mkdtempSync('/tmp/berth-it-');
    return this.madeRoot;
  }

  get host(): string {
    return `unix://${join(this.root, 'run/berthd.sock')}`;
  }

  up(): void {
    const result = spawnSync(BERTH, ['system', 'up', '--root', this.root], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`system up failed: ${result.stderr}${result.stdout}`);
  }

  // Runs the CLI against this stack and collects its output.
  berth(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return new Promise((resolvePromise) => {
      const child = execFile(
        BERTH,
        args,
        { env: { ...process.env, BERTH_HOST: this.host }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolvePromise({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
      else child.stdin?.end();
    });
  }

  // Runs the CLI against this stack, showing `onStdout` its whole output so far after each chunk
  // (to act at a given moment of a pull or push: kill a service, the CLI itself).
  watch(args: string[], onStdout: (stdout: string, child: ChildProcess) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(BERTH, args, { env: { ...process.env, BERTH_HOST: this.host } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolvePromise) => child.on('close', (code) => resolvePromise({ code, stdout, stderr })));
  }

  async must(args: string[], options: { input?: string } = {}): Promise<string> {
    const result = await this.berth(args, options);
    if (result.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  servicePid(service: string): number {
    const statuses = JSON.parse(readFileSync(join(this.root, 'run/services.json'), 'utf8')) as Array<{ service: string; pid: number | null }>;
    const pid = statuses.find((s) => s.service === service)?.pid;
    if (!pid) throw new Error(`${service} has no pid`);
    return pid;
  }

  down(): void {
    spawnSync(BERTH, ['system', 'down', '--root', this.root], { encoding: 'utf8', timeout: 60_000 });
  }

  // What a stack may leave behind: mounts under its root, cgroups under its parent, processes.
  leftovers(): string[] {
    const found: string[] = [];
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      if (line.includes(this.root)) found.push(`mount: ${line}`);
    }
    const parentTag = execFileSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(join(REPO, 'libs/layout/dist'))}).stackLayout(${JSON.stringify(this.root)}).cgroupParent)`], { encoding: 'utf8' }).trim();
    for (const controller of [...readdirSync('/sys/fs/cgroup'), '']) {
      const dir = join('/sys/fs/cgroup', controller, parentTag);
      if (existsSync(dir)) found.push(`cgroup: ${dir}`);
    }
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes(this.root) && Number(pid) !== process.pid) found.push(`process ${pid}: ${cmdline.replace(/\0/g, ' ')}`);
      } catch {
        // The process ended while we looked.
      }
    }
    return found;
  }

  // Removes every container (even those a failed test left), stops the stack, deletes the root.
  destroy(): void {
    const ids = spawnSync(BERTH, ['ps', '-aq', '--no-trunc'], { encoding: 'utf8', env: { ...process.env, BERTH_HOST: this.host } }).stdout.trim();
    if (ids) spawnSync(BERTH, ['rm', '-f', ...ids.split('\n')], { env: { ...process.env, BERTH_HOST: this.host }, timeout: 60_000 });
    this.down();
    rmSync(this.root, { recursive: true, force: true });
  }
}
