// Runs the runtime shim app alone on a temporary root, with a busybox lower directory for
// overlay root filesystems, and a gRPC client to it.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkHealth, connect, readStream, unaryCall } from '@berth/grpc-kit';
import { stackLayout } from '@berth/layout';
import { runtime, types } from '@berth/proto';

export const REPO = resolve(__dirname, '../../..');
export const SHIM_MAIN = join(REPO, 'apps/runtime-shim/dist/main.js');
export const MONITOR = join(REPO, 'native/monitor/build/berth-monitor');

export function shimSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (spawnSync('sh', ['-c', 'command -v runc']).status !== 0) return 'runc is not installed';
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed';
  if (!existsSync(MONITOR)) return 'the monitor is not built (make -C native/monitor)';
  return undefined;
}

export const describeShim = (name: string, fn: () => void): void => {
  const reason = shimSkipReason();
  if (reason) {
    process.stderr.write(`SKIPPED integration suite "${name}": ${reason}\n`);
    describe.skip(`${name} (SKIPPED: ${reason})`, fn);
  } else {
    describe(name, fn);
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RunOutput {
  exit: types.ExitStatus;
  stdout: string;
  stderr: string;
}

export class ShimFixture {
  readonly root = mkdtempSync('/tmp/berth-rt-');
  readonly lower = join(this.root, 'image');
  readonly address = `unix://${stackLayout(this.root).runtimeSocket}`;
  private child: ChildProcess | undefined;
  private clientInstance: runtime.RuntimeServiceClient | undefined;

  constructor() {
    chmodSync(this.root, 0o755);
    this.buildLower();
  }

  get client(): runtime.RuntimeServiceClient {
    this.clientInstance ??= connect(runtime.RuntimeServiceClient, this.address);
    return this.clientInstance;
  }

  get cgroupParent(): string {
    return stackLayout(this.root).cgroupParent;
  }

  private buildLower(): void {
    for (const dir of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home/berth']) mkdirSync(join(this.lower, dir), { recursive: true });
    chmodSync(join(this.lower, 'tmp'), 0o1777);
    copyFileSync('/bin/busybox', join(this.lower, 'bin/busybox'));
    chmodSync(join(this.lower, 'bin/busybox'), 0o755);
    for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n')) {
      if (applet && applet !== 'busybox') symlinkSync('busybox', join(this.lower, 'bin', applet));
    }
    writeFileSync(join(this.lower, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nberth:x:1000:1000:berth:/home/berth:/bin/sh\n');
    writeFileSync(join(this.lower, 'etc/group'), 'root:x:0:\nberth:x:1000:\n');
  }

  // An overlay over the busybox lower directory with this container's own upper and work dirs.
  rootfs(id: string): types.Mount[] {
    const upper = join(this.root, 'snap', id, 'upper');
    const work = join(this.root, 'snap', id, 'work');
    mkdirSync(upper, { recursive: true });
    mkdirSync(work, { recursive: true });
    return [{ type: 'overlay', source: 'overlay', target: '', options: [`lowerdir=${this.lower}`, `upperdir=${upper}`, `workdir=${work}`] }];
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, [SHIM_MAIN, '--root', this.root], { stdio: ['ignore', 'inherit', 'inherit'] });
    for (let i = 0; i < 100; i++) {
      if (await checkHealth(this.address, 500)) return;
      await sleep(100);
    }
    throw new Error('the runtime shim did not become healthy');
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.clientInstance?.close();
    this.clientInstance = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  spec(id: string, args: string[], overrides: Partial<runtime.ContainerSpec> = {}): runtime.ContainerSpec {
    return runtime.ContainerSpec.fromPartial({ id, args, hostname: id.slice(0, 12), networkMode: 'none', rootfs: this.rootfs(id), ...overrides });
  }

  create(spec: runtime.ContainerSpec, options: { start?: boolean; holdOutput?: boolean } = {}): Promise<runtime.ContainerState> {
    return unaryCall(this.client, 'create', { spec, start: options.start ?? false, holdOutput: options.holdOutput ?? false }, { timeoutMs: 60_000 });
  }

  async logs(id: string, options: Partial<types.LogsRequest> = {}): Promise<{ stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const stream = this.client.logs({ id, follow: false, tail: -1, since: '', until: '', ...options });
    for await (const entry of readStream<types.LogEntry>(stream)) {
      if (entry.stream === types.OutputStream.OUTPUT_STREAM_STDERR) stderr += entry.data.toString();
      else stdout += entry.data.toString();
    }
    return { stdout, stderr };
  }

  // create, start, wait, logs, delete.
  async run(spec: runtime.ContainerSpec): Promise<RunOutput> {
    await this.create(spec);
    try {
      await unaryCall(this.client, 'start', { id: spec.id });
      const exit = await unaryCall(this.client, 'wait', { id: spec.id }, { timeoutMs: 60_000 });
      return { exit, ...(await this.logs(spec.id)) };
    } finally {
      await unaryCall(this.client, 'delete', { id: spec.id, force: true }, { timeoutMs: 60_000 });
    }
  }

  // Runs an exec to its end: output and exit status.
  exec(open: Partial<types.ExecOpen> & { id: string; args: string[] }, stdin?: string): Promise<RunOutput> {
    const first: types.StdioClientFrame = { frame: { $case: 'exec', value: types.ExecOpen.fromPartial({ stdin: stdin !== undefined, ...open }) } };
    return this.stdio(this.client.exec(), first, stdin);
  }

  // Attaches until the container exits; `onReady` runs once output is live.
  // afterCreate: sent along with the container's create, which may come after it.
  attach(id: string, stdin?: string, onReady?: () => void, afterCreate = false): Promise<RunOutput> {
    const first: types.StdioClientFrame = { frame: { $case: 'attach', value: { id, stdin: stdin !== undefined, stdout: true, stderr: true, logs: false, prepareStart: false, afterCreate } } };
    return this.stdio(this.client.attach(), first, stdin, onReady);
  }

  private stdio(
    call: ReturnType<runtime.RuntimeServiceClient['exec']>,
    first: types.StdioClientFrame,
    stdin?: string,
    onReady?: () => void,
  ): Promise<RunOutput> {
    return new Promise((resolvePromise, reject) => {
      let stdout = '';
      let stderr = '';
      let exit: types.ExitStatus | undefined;
      call.on('data', (frame: types.StdioServerFrame) => {
        const f = frame.frame;
        if (f?.$case === 'ready') {
          onReady?.();
          if (stdin !== undefined) {
            call.write({ frame: { $case: 'stdin', value: Buffer.from(stdin) } });
            call.write({ frame: { $case: 'closeStdin', value: true } });
          }
        } else if (f?.$case === 'output') {
          if (f.value.stream === types.OutputStream.OUTPUT_STREAM_STDERR) stderr += f.value.data.toString();
          else stdout += f.value.data.toString();
        } else if (f?.$case === 'exit') exit = f.value;
      });
      call.on('error', reject);
      call.on('end', () => (exit ? resolvePromise({ exit, stdout, stderr }) : reject(new Error('the stream ended without an exit frame'))));
      call.write(first);
    });
  }

  // Mounts, cgroups and processes of this root still on the host.
  leftovers(): string[] {
    const found: string[] = [];
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      if (line.includes(join(this.root, 'runtime'))) found.push(`mount: ${line}`);
    }
    for (const controller of [...readdirSync('/sys/fs/cgroup'), '']) {
      const dir = join('/sys/fs/cgroup', controller, this.cgroupParent);
      if (existsSync(dir) && readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory())) found.push(`cgroup: ${dir}`);
    }
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes(join(this.root, 'runtime')) && Number(pid) !== this.pid) found.push(`process ${pid}: ${cmdline.replace(/\0/g, ' ')}`);
      } catch {
        // Gone meanwhile.
      }
    }
    return found;
  }

  // Last resort for a failed test: kill and remove whatever is left, then the root.
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    const layout = stackLayout(this.root);
    const state = join(layout.runtimeDir, 'state');
    for (const id of existsSync(state) ? readdirSync(state) : []) spawnSync('runc', ['--root', state, 'delete', '--force', id]);
    for (const line of this.leftovers()) {
      const pid = /^process (\d+)/.exec(line)?.[1];
      if (pid) spawnSync('kill', ['-9', pid]);
    }
    spawnSync('sh', ['-c', `grep -o ' ${this.root}[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
    for (const controller of [...readdirSync('/sys/fs/cgroup'), '']) {
      const dir = join('/sys/fs/cgroup', controller, this.cgroupParent);
      if (existsSync(dir)) spawnSync('sh', ['-c', `find ${dir} -depth -type d -exec rmdir {} \\;`]);
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
