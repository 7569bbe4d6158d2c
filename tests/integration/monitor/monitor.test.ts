import { execFileSync, spawn } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformFileSync } from '@swc/core';
import { ErrorCode } from '@berth/errors';
import {
  attachMonitor,
  launchMonitor,
  monitorIsAlive,
  MonitorStandbys,
  readExitFile,
  readLog,
  waitForExitFile,
  type AttachEvent,
  type AttachSession,
  type LogRecord,
} from '../../../libs/runtime/src/monitor';
import { MONITOR, MonitorFixture, monitorSkipReason, REPO } from './fixture';

const skip = monitorSkipReason();
const describeMonitor = skip ? describe.skip : describe;
if (skip) process.stderr.write(`SKIPPED monitor integration tests: ${skip}\n`);

async function logOf(path: string): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const r of readLog(path, { follow: false, tail: -1 })) records.push(r);
  return records;
}

const textOf = (records: LogRecord[], stream: 'stdout' | 'stderr'): string =>
  records.filter((r) => r.stream === stream).map((r) => r.data.toString()).join('');

async function collect(session: AttachSession): Promise<{ stdout: string; stderr: string; exitCode?: number }> {
  const out = { stdout: '', stderr: '', exitCode: undefined as number | undefined };
  for await (const event of session as AsyncIterable<AttachEvent>) {
    if (event.kind === 'exit') out.exitCode = event.exitCode;
    else out[event.kind] += event.data.toString();
  }
  return out;
}

jest.setTimeout(60_000);

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

// This process's standby monitors: waiting, each its child.
function standbyPids(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8') === `${MONITOR}\0--standby\0` && readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(process.pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// The standby this process started, once it is up (undefined after 2 s).
async function waitingStandby(): Promise<number | undefined> {
  for (let i = 0; i < 200 && standbyPids().length === 0; i++) await delay(10);
  return standbyPids()[0];
}

describeMonitor('berth-monitor', () => {
  let fx: MonitorFixture;
  beforeEach(() => {
    fx = new MonitorFixture();
  });
  afterEach(async () => {
    fx.deleteAll();
    const left = await fx.leftovers();
    fx.cleanup();
    expect(left).toEqual([]);
  });

  it('logs stdout and stderr with their streams and records the exit code', async () => {
    const c = await fx.create('streams', ['sh', '-c', 'echo out1; echo err1 >&2; echo out2; printf tail; exit 3']);
    expect(c.pid).toBeGreaterThan(0);
    expect(await monitorIsAlive(c.files.monitorPid)).toBe(true);
    expect(await readExitFile(c.files.exit)).toBeUndefined();
    fx.start('streams');
    const exit = await waitForExitFile(c.files.exit);
    expect(exit).toMatchObject({ exitCode: 3, signal: 0, oomKilled: false });
    expect(Date.parse(exit.finishedAt)).toBeGreaterThan(Date.now() - 60_000);
    const records = await logOf(c.files.log);
    expect(textOf(records, 'stdout')).toBe('out1\nout2\ntail');
    expect(textOf(records, 'stderr')).toBe('err1\n');
    // The raw file is CRI: time, stream, F/P tag.
    expect(readFileSync(c.files.log, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F out1\n/);
    expect(readFileSync(c.files.log, 'utf8')).toMatch(/Z stdout P tail\n/);
    // The monitor is gone and took its socket along.
    await delay(100);
    expect(await monitorIsAlive(c.files.monitorPid)).toBe(false);
    expect(existsSync(c.files.socket)).toBe(false);
    await expect(attachMonitor(c.files.socket)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('records death by signal as 128+N with the signal', async () => {
    // The container's init ignores signals it has no handler for (it is pid 1 of its
    // namespace), so the signal comes from outside, and from inside to an exec'd process.
    const c = await fx.create('killed', ['sleep', '60']);
    fx.start('killed');
    const processFile = join(fx.dir, 'suicide.json');
    for (const [signal, code] of [[9, 137], [15, 143]] as const) {
      writeFileSync(processFile, JSON.stringify({ args: ['sh', '-c', `kill -${signal} $$`], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } }));
      const e = fx.files(`suicide-${signal}`);
      await launchMonitor(fx.launchOptions('killed', e, { execProcessFile: processFile }));
      expect(await waitForExitFile(e.exit)).toMatchObject({ exitCode: code, signal, oomKilled: false });
    }
    fx.kill('killed', 'KILL');
    expect(await waitForExitFile(c.files.exit)).toMatchObject({ exitCode: 137, signal: 9 });
  });

  it('notices the OOM killer', async () => {
    const c = await fx.create('oom', ['sh', '-c', 'x=$(head -c 64000000 /dev/zero | tr "\\0" a); echo survived'], { memoryLimit: 32 * 1024 * 1024, oom: true });
    fx.start('oom');
    const exit = await waitForExitFile(c.files.exit);
    expect(exit.oomKilled).toBe(true);
    expect(exit.exitCode).not.toBe(0);
  });

  it('passes stdin from an attached client and streams output live', async () => {
    const c = await fx.create('cat', ['cat'], { stdin: true });
    const session = await attachMonitor(c.files.socket);
    const second = await attachMonitor(c.files.socket);
    const outputs = Promise.all([collect(session), collect(second)]);
    fx.start('cat');
    const big = Buffer.alloc(300 * 1024, 'x');
    session.writeStdin(Buffer.from('hello\n'));
    session.writeStdin(big);
    session.writeStdin(Buffer.from('\nbye\n'));
    session.closeStdin();
    const [first, other] = await outputs;
    const expected = `hello\n${big.toString()}\nbye\n`;
    expect(first).toEqual({ stdout: expected, stderr: '', exitCode: 0 });
    expect(other).toEqual(first);
    expect(textOf(await logOf(c.files.log), 'stdout')).toBe(expected);
  });

  it('starts at once and holds the output, and the exit, for the first client to attach', async () => {
    const c = await fx.create('held', ['sh', '-c', 'echo first; echo err >&2; echo last; exit 4'], { start: true, holdOutput: true });
    // The process has run by now; nothing of it is read or announced before a client comes.
    await delay(300);
    expect(await readExitFile(c.files.exit)).toBeUndefined();
    expect(readFileSync(c.files.log, 'utf8')).toBe('');
    const out = await collect(await attachMonitor(c.files.socket));
    expect(out).toEqual({ stdout: 'first\nlast\n', stderr: 'err\n', exitCode: 4 });
    expect(await waitForExitFile(c.files.exit)).toMatchObject({ exitCode: 4 });
    expect(textOf(await logOf(c.files.log), 'stdout')).toBe('first\nlast\n');
  });

  it('lets held output go to the log when no client comes', async () => {
    const c = await fx.create('unclaimed', ['sh', '-c', 'echo alone'], { start: true, holdOutput: true });
    const exit = await waitForExitFile(c.files.exit, AbortSignal.timeout(10_000));
    expect(exit.exitCode).toBe(0);
    expect(textOf(await logOf(c.files.log), 'stdout')).toBe('alone\n');
  });

  it('starts without holding: output is logged as it comes', async () => {
    const c = await fx.create('started', ['sh', '-c', 'echo now'], { start: true });
    expect(await waitForExitFile(c.files.exit, AbortSignal.timeout(3_000))).toMatchObject({ exitCode: 0 });
    expect(textOf(await logOf(c.files.log), 'stdout')).toBe('now\n');
  });

  it('drops a client that does not read instead of stalling the container', async () => {
    const c = await fx.create('flood', ['sh', '-c', 'head -c 8000000 /dev/zero | tr "\\0" a; echo; echo done']);
    const stalled = createConnection(c.files.socket);
    await new Promise((r) => stalled.once('connect', r));
    stalled.pause();
    const closed = new Promise((r) => stalled.once('close', r));
    const reader = await attachMonitor(c.files.socket);
    const live = collect(reader);
    fx.start('flood');
    expect(await waitForExitFile(c.files.exit)).toMatchObject({ exitCode: 0 });
    const { stdout, exitCode } = await live;
    expect(exitCode).toBe(0);
    expect(stdout.length).toBe(8_000_000 + 6);
    const logged = textOf(await logOf(c.files.log), 'stdout');
    expect(logged.length).toBe(8_000_000 + 6);
    expect(logged.endsWith('\ndone\n')).toBe(true);
    stalled.resume();
    await closed;
  });

  it('runs with a tty, applies resizes and takes input', async () => {
    const c = await fx.create('tty', ['sh', '-c', 'stty size; read line; echo "got $line"'], { terminal: true, stdin: true });
    const session = await attachMonitor(c.files.socket);
    session.resize(33, 111);
    const output = collect(session);
    await delay(50);
    fx.start('tty');
    await delay(200);
    session.writeStdin(Buffer.from('ping\r'));
    const result = await output;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('33 111\r\n');
    expect(result.stdout).toContain('got ping');
    expect(textOf(await logOf(c.files.log), 'stdout')).toContain('33 111');
  });

  it('execs a second process in a running container and returns its exit code', async () => {
    const c = await fx.create('host', ['sleep', '60']);
    fx.start('host');
    const processFile = join(fx.dir, 'exec-process.json');
    writeFileSync(processFile, JSON.stringify({ args: ['sh', '-c', 'echo from exec; echo oops >&2; exit 5'], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } }));
    const e = fx.files('exec1');
    const launched = await launchMonitor(fx.launchOptions('host', e, { execProcessFile: processFile }));
    expect(launched.pid).not.toBe(c.pid);
    expect(await waitForExitFile(e.exit)).toMatchObject({ exitCode: 5, signal: 0 });
    const records = await logOf(e.log);
    expect(textOf(records, 'stdout')).toBe('from exec\n');
    expect(textOf(records, 'stderr')).toBe('oops\n');
    expect(await readExitFile(c.files.exit)).toBeUndefined();
    fx.kill('host');
    expect(await waitForExitFile(c.files.exit)).toMatchObject({ exitCode: 137, signal: 9 });
  });

  it('keeps the container, its log and its exit file when its caller is SIGKILLed', async () => {
    // The launcher runs in a child node process, from the client code compiled on the fly.
    const lib = join(fx.dir, 'client');
    mkdirSync(lib);
    const src = join(REPO, 'libs/runtime/src/monitor');
    for (const file of ['launch.ts', 'launch-error.ts', 'pid-file.ts', 'standby.ts']) {
      const { code } = transformFileSync(join(src, file), { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
      writeFileSync(join(lib, file.replace(/\.ts$/, '.js')), code);
    }
    const files = fx.files('orphan');
    const opts = fx.launchOptions('orphan', files, { bundle: fx.bundle('orphan', ['sh', '-c', 'echo before; sleep 1; echo after; exit 7']) });
    const script = `require(${JSON.stringify(join(lib, 'launch.js'))}).launchMonitor(${JSON.stringify(opts)})
      .then((r) => { console.log(JSON.stringify(r)); setInterval(() => {}, 1000); }, (e) => { console.error(e); process.exit(1); });`;
    const caller = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') } });
    const launched = await new Promise<{ pid: number; monitorPid: number }>((resolve, reject) => {
      caller.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as { pid: number; monitorPid: number }));
      caller.once('exit', (code) => reject(new Error(`launcher exited ${code}`)));
    });
    fx.start('orphan');
    for (let i = 0; i < 50 && !readFileSync(files.log, 'utf8').includes('before'); i++) await delay(20);
    caller.kill('SIGKILL');
    await new Promise((r) => caller.once('exit', r));
    expect(await monitorIsAlive(files.monitorPid)).toBe(true);
    expect(await waitForExitFile(files.exit)).toMatchObject({ exitCode: 7 });
    expect(textOf(await logOf(files.log), 'stdout')).toBe('before\nafter\n');
    expect(launched.monitorPid).toBe(Number(readFileSync(files.monitorPid, 'utf8')));
  });

  it('mounts the rootfs itself, lets the caller write config.json in between, and undoes the mount when the launch fails', async () => {
    const mountedAt = (path: string): boolean => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === path);
    const overlay = (name: string) => {
      const dir = join(fx.dir, 'overlay', name);
      mkdirSync(join(dir, 'upper'), { recursive: true });
      mkdirSync(join(dir, 'work'));
      return [{ type: 'overlay', source: 'overlay', target: '', options: [`lowerdir=${fx.rootfs}`, `upperdir=${dir}/upper`, `workdir=${dir}/work`] }];
    };
    const pointAtOwnRootfs = (bundle: string): void => {
      const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { root: { path: string } };
      config.root.path = join(bundle, 'rootfs');
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    };

    const bundle = fx.bundle('mounted', ['sh', '-c', 'echo from the overlay; exit 3']);
    const files = fx.files('mounted');
    const launched = await launchMonitor(
      fx.launchOptions('mounted', files, {
        bundle,
        start: true,
        holdOutput: true,
        rootfsMounts: overlay('mounted'),
        beforeRuntime: async () => {
          // Mounted by now, and the runtime waits for this step.
          expect(existsSync(join(bundle, 'rootfs/bin/busybox'))).toBe(true);
          pointAtOwnRootfs(bundle);
        },
      }),
    );
    try {
      expect(launched.pid).toBeGreaterThan(0);
      expect(mountedAt(join(bundle, 'rootfs'))).toBe(true);
      expect(await collect(await attachMonitor(files.socket))).toEqual({ stdout: 'from the overlay\n', stderr: '', exitCode: 3 });
      // Unmounted by the monitor once the container exited (right after the exit frame).
      expect(mountedAt(join(bundle, 'rootfs'))).toBe(false);
    } finally {
      fx.deleteAll();
      if (mountedAt(join(bundle, 'rootfs'))) execFileSync('umount', ['-l', join(bundle, 'rootfs')]);
    }

    // The caller's step fails: its error is the launch's, and the monitor unmounts and goes.
    const refusedBundle = fx.bundle('refused', ['true']);
    const refusedFiles = fx.files('refused');
    const refusal = launchMonitor(
      fx.launchOptions('refused', refusedFiles, {
        bundle: refusedBundle,
        rootfsMounts: overlay('refused'),
        beforeRuntime: () => Promise.reject(new Error('no config for you')),
      }),
    );
    await expect(refusal).rejects.toThrow('no config for you');
    for (let i = 0; i < 40 && (mountedAt(join(refusedBundle, 'rootfs')) || (await monitorIsAlive(refusedFiles.monitorPid))); i++) await delay(50);
    expect(mountedAt(join(refusedBundle, 'rootfs'))).toBe(false);
    expect(await monitorIsAlive(refusedFiles.monitorPid)).toBe(false);

    // The runtime fails: unmounted before the failure is reported.
    const failingBundle = fx.bundle('failing', ['nosuch']);
    const failing = launchMonitor(
      fx.launchOptions('failing', fx.files('failing'), { bundle: failingBundle, rootfsMounts: overlay('failing'), beforeRuntime: async () => pointAtOwnRootfs(failingBundle) }),
    );
    await expect(failing).rejects.toMatchObject({ code: ErrorCode.CommandNotFound });
    expect(mountedAt(join(failingBundle, 'rootfs'))).toBe(false);

    // A mount that cannot be made is reported as such.
    const badBundle = fx.bundle('bad-mount', ['true']);
    const bad = launchMonitor(
      fx.launchOptions('bad-mount', fx.files('bad-mount'), {
        bundle: badBundle,
        rootfsMounts: [{ type: 'overlay', source: 'overlay', target: '', options: [`lowerdir=${join(fx.dir, 'missing')}`] }],
        beforeRuntime: async () => undefined,
      }),
    );
    await expect(bad).rejects.toThrow(/mounting the root filesystem/);
    expect(mountedAt(join(badBundle, 'rootfs'))).toBe(false);
  });

  it('reports a command that does not exist as COMMAND_NOT_FOUND and leaves nothing', async () => {
    const files = fx.files('nosuch');
    const opts = fx.launchOptions('nosuch', files, { bundle: fx.bundle('nosuch', ['nosuch']) });
    const failure = launchMonitor(opts);
    await expect(failure).rejects.toMatchObject({ code: ErrorCode.CommandNotFound, message: 'exec: "nosuch": executable file not found in $PATH' });
    expect(existsSync(files.socket)).toBe(false);
    expect(await monitorIsAlive(files.monitorPid)).toBe(false);
  });

  it('reports a command that cannot be executed as COMMAND_NOT_EXECUTABLE', async () => {
    const files = fx.files('noexec');
    const opts = fx.launchOptions('noexec', files, { bundle: fx.bundle('noexec', ['/proc']) });
    await expect(launchMonitor(opts)).rejects.toMatchObject({ code: ErrorCode.CommandNotExecutable });
  });

  it('follows a log until the container exits', async () => {
    const c = await fx.create('follow', ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.2; done']);
    fx.start('follow');
    const lines: string[] = [];
    for await (const r of readLog(c.files.log, { follow: true, tail: -1, stopWhen: async () => (await readExitFile(c.files.exit)) !== undefined })) {
      lines.push(r.data.toString());
    }
    expect(lines).toEqual(['line 1\n', 'line 2\n', 'line 3\n']);
  });

  it('takes a launch as a standby: started ahead, handed its command line, the same monitor after', async () => {
    const standbys = new MonitorStandbys();
    try {
      standbys.refill(MONITOR);
      const standby = await waitingStandby();
      expect(standby).toBeDefined();
      const files = fx.files('standby');
      const opts = fx.launchOptions('standby', files, { bundle: fx.bundle('standby', ['sh', '-c', 'echo via standby; sleep 0.5']), start: true });
      const launched = await launchMonitor(opts, standbys);
      // The monitor proper is the standby's child, with the command line it was handed.
      expect(readFileSync(`/proc/${launched.monitorPid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]).not.toBe(String(process.pid));
      expect(readFileSync(`/proc/${launched.monitorPid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--id', 'standby', '--start']));
      expect(await waitForExitFile(files.exit)).toMatchObject({ exitCode: 0 });
      expect(textOf(await logOf(files.log), 'stdout')).toBe('via standby\n');
      // The next one waits, and ends with its fd.
      const next = await waitingStandby();
      expect(next).toBeDefined();
      standbys.close();
      for (let i = 0; i < 200 && existsSync(`/proc/${next}/cmdline`) && readFileSync(`/proc/${next}/cmdline`, 'utf8') !== ''; i++) await delay(10);
      expect(standbyPids()).toEqual([]);
    } finally {
      standbys.close();
    }
  });

  it('starts a monitor of its own when the standby it takes died before its command line came', async () => {
    const standbys = new MonitorStandbys();
    try {
      standbys.refill(MONITOR);
      const standby = await waitingStandby();
      expect(standby).toBeDefined();
      // Dead, and its exit not yet seen by this process: no turn of the event loop until the
      // launch has handed it its command line.
      process.kill(Number(standby), 'SIGKILL');
      const state = (): string | undefined => readFileSync(`/proc/${standby}/stat`, 'utf8').split(') ')[1]?.[0];
      const deadline = Date.now() + 5000;
      while (state() !== 'Z' && Date.now() < deadline);
      expect(state()).toBe('Z');
      const files = fx.files('gone');
      const launched = await launchMonitor(fx.launchOptions('gone', files, { bundle: fx.bundle('gone', ['sh', '-c', 'echo fresh']), start: true }), standbys);
      expect(launched.monitorPid).toBeGreaterThan(0);
      expect(await waitForExitFile(files.exit)).toMatchObject({ exitCode: 0 });
      expect(textOf(await logOf(files.log), 'stdout')).toBe('fresh\n');
    } finally {
      standbys.close();
    }
  });

  it('refuses a standby a malformed command line with an early failure on its sync fd', async () => {
    const child = spawn(MONITOR, ['--standby'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    const sync = child.stdio[3] as Socket;
    let report = '';
    sync.on('data', (chunk: Buffer) => (report += chunk.toString()));
    sync.write(Buffer.from([0, 0, 0, 0]));
    const code = await new Promise((r) => child.once('close', r));
    expect(code).toBe(2);
    expect(JSON.parse(report)).toEqual({ pid: -1, message: 'standby: a command line of 0 bytes' });
    // One whose caller goes away before it is needed ends quietly.
    const idle = spawn(MONITOR, ['--standby'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    (idle.stdio[3] as Socket).end();
    expect(await new Promise((r) => idle.once('close', r))).toBe(0);
  });

  it('refuses a standby a command line that ends after its byte count, saying so', async () => {
    const child = spawn(MONITOR, ['--standby'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    const sync = child.stdio[3] as Socket;
    let report = '';
    sync.on('data', (chunk: Buffer) => (report += chunk.toString()));
    sync.end(Buffer.from([8, 0, 0, 0]));
    expect(await new Promise((r) => child.once('close', r))).toBe(2);
    expect(JSON.parse(report)).toEqual({ pid: -1, message: 'standby: reading the command line: Broken pipe' });
  });

  it('stays small: reports the resident memory of a running monitor', async () => {
    const c = await fx.create('rss', ['sleep', '60']);
    fx.start('rss');
    const session = await attachMonitor(c.files.socket);
    const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${c.monitorPid}/status`, 'utf8'))![1]);
    process.stderr.write(`berth-monitor VmRSS with one attached client: ${rssKb} kB\n`);
    expect(rssKb).toBeLessThan(2048);
    const events = collect(session);
    fx.kill('rss');
    expect((await events).exitCode).toBe(137);
  });
});
