import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@berth/errors';
import { unaryCall } from '@berth/grpc-kit';
import { runtime } from '@berth/proto';
import { describeShim, REPO, ShimFixture } from './shim-harness';

const { Status } = runtime;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeShim('runtime shim under runc', () => {
  let shim: ShimFixture;
  let n = 0;
  const id = (name: string): string => `${name}-${process.pid}-${++n}`;

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'apps/runtime-shim'], { cwd: REPO, stdio: 'inherit' });
    shim = new ShimFixture();
    await shim.start();
  }, 120_000);

  afterAll(async () => {
    const left = shim.leftovers();
    await shim.destroy();
    expect(left).toEqual([]);
  }, 60_000);

  afterEach(() => expect(shim.leftovers()).toEqual([]));

  it('isolates the container as docker does', async () => {
    const name = id('iso');
    const script = [
      'echo "pid1=$(tr "\\0" " " < /proc/1/cmdline)"',
      'echo "host=$(hostname)"',
      'grep -E "^(CapEff|Seccomp):" /proc/1/status',
      // Masked paths read as empty (or do not exist at all where the kernel has no kcore).
      'echo "kcore=$(cat /proc/kcore 2>/dev/null | wc -c)"',
      'echo "timer_list=$(cat /proc/timer_list 2>/dev/null | wc -c)"',
      'echo "net=$(ls /sys/class/net)"',
      'exit 3',
    ].join('; ');
    const out = await shim.run(shim.spec(name, ['sh', '-c', script], { hostname: 'isolated' }));
    expect(out.exit.exitCode).toBe(3);
    expect(out.stdout).toContain('pid1=sh -c ');
    expect(out.stdout).toContain('host=isolated');
    expect(out.stdout).toMatch(/CapEff:\s+00000000a80425fb/);
    expect(out.stdout).toMatch(/Seccomp:\s+2/);
    expect(out.stdout).toMatch(/kcore=\s*0\n/);
    expect(out.stdout).toMatch(/timer_list=\s*0\n/);
    expect(out.stdout).toContain('net=lo');
  });

  it('enforces a read-only rootfs and honours the user', async () => {
    const ro = await shim.run(shim.spec(id('ro'), ['sh', '-c', 'touch /x'], { security: runtime.Security.fromPartial({ readOnlyRootfs: true }) }));
    expect(ro.exit.exitCode).not.toBe(0);
    expect(ro.stderr).toMatch(/Read-only file system/);
    const user = await shim.run(shim.spec(id('user'), ['id'], { user: '1000:1000' }));
    expect(user.stdout.trim()).toMatch(/^uid=1000\(berth\) gid=1000\(berth\)/);
    const named = await shim.run(shim.spec(id('named'), ['id', '-u'], { user: 'berth' }));
    expect(named.stdout.trim()).toBe('1000');
  });

  it('kills a memory hog with 137 and reports the OOM kill', async () => {
    const name = id('oom');
    const resources = runtime.Resources.fromPartial({ memoryBytes: 8 << 20, memorySwapBytes: 8 << 20 });
    const out = await shim.run(shim.spec(name, ['sh', '-c', 'a=x; while :; do a="$a$a"; done'], { resources }));
    expect(out.exit.exitCode).toBe(137);
    expect(out.exit.oomKilled).toBe(true);
  });

  it('enforces the pids limit', async () => {
    const resources = runtime.Resources.fromPartial({ pidsLimit: 8 });
    const out = await shim.run(
      shim.spec(id('pids'), ['sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; for i in $(seq 1 20); do sleep 5 & done 2>&1 | head -1; kill $(jobs -p) 2>/dev/null; exit 0'], { resources }),
    );
    expect(out.stdout.split('\n')[0]).toBe('8');
    expect(out.stdout + out.stderr).toMatch(/fork|Resource temporarily unavailable/i);
  });

  it('reports exit codes, logs after exit, and refuses bad requests', async () => {
    const out = await shim.run(shim.spec(id('exit'), ['sh', '-c', 'echo out; echo err >&2; exit 42']));
    expect(out.exit.exitCode).toBe(42);
    expect(out.stdout).toBe('out\n');
    expect(out.stderr).toBe('err\n');

    await expect(shim.create(shim.spec(id('bad'), ['sh'], { runtime: 'nosuch' }))).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringContaining('unknown or invalid runtime name: nosuch'),
    });
    await expect(shim.create(shim.spec(id('bad'), []))).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(shim.create(shim.spec(id('bad'), ['sh'], { networkMode: 'bridge' }))).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(shim.create(shim.spec(id('bad'), ['/no/such/command']))).rejects.toMatchObject({ code: ErrorCode.CommandNotFound });
    await expect(unaryCall(shim.client, 'state', { id: 'nosuch' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('runs execs, top, pause and kill on a running container', async () => {
    const name = id('exec');
    await shim.create(shim.spec(name, ['sleep', '1000']));
    try {
      const started = await unaryCall(shim.client, 'start', { id: name });
      expect(started.status).toBe(Status.STATUS_RUNNING);
      expect(started.startedAt).not.toBe('');

      const exec = await shim.exec({ id: name, args: ['sh', '-c', 'echo hi; echo oops >&2; id -u; exit 5'], user: '1000' });
      expect(exec.exit.exitCode).toBe(5);
      expect(exec.stdout).toBe('hi\n1000\n');
      expect(exec.stderr).toBe('oops\n');
      const cat = await shim.exec({ id: name, args: ['cat'] }, 'from stdin');
      expect(cat.stdout).toBe('from stdin');
      expect(readdirSync(join(shim.root, 'runtime/bundles', name, 'exec')).length).toBeLessThanOrEqual(2);

      const top = await unaryCall(shim.client, 'top', { id: name, psArgs: [] });
      expect(top.titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
      expect(top.processes.map((p) => p.fields[7])).toContain('sleep 1000');
      const custom = await unaryCall(shim.client, 'top', { id: name, psArgs: ['-eo', 'pid,comm'] });
      expect(custom.processes.map((p) => p.fields[1])).toContain('sleep');

      await unaryCall(shim.client, 'pause', { id: name });
      expect((await unaryCall(shim.client, 'state', { id: name })).status).toBe(Status.STATUS_PAUSED);
      await unaryCall(shim.client, 'resume', { id: name });

      await expect(unaryCall(shim.client, 'delete', { id: name, force: false })).rejects.toMatchObject({ code: ErrorCode.FailedPrecondition });
      await unaryCall(shim.client, 'kill', { id: name, signal: 9 });
      const exit = await unaryCall(shim.client, 'wait', { id: name }, { timeoutMs: 30_000 });
      expect(exit.exitCode).toBe(137);
      await expect(unaryCall(shim.client, 'kill', { id: name, signal: 9 })).rejects.toMatchObject({
        code: ErrorCode.FailedPrecondition,
        message: `container ${name} is not running`,
      });
      const state = await unaryCall(shim.client, 'state', { id: name });
      expect(state.status).toBe(Status.STATUS_STOPPED);
      expect(state.finishedAt).not.toBe('');
    } finally {
      await unaryCall(shim.client, 'delete', { id: name, force: true }, { timeoutMs: 60_000 });
    }
  });

  it('attaches to a container before it starts, and to one that has stopped', async () => {
    const name = id('attach');
    await shim.create(shim.spec(name, ['sh', '-c', 'read line; echo "got $line"; echo bye >&2; exit 4'], { openStdin: true }));
    try {
      const attached = shim.attach(name, 'hello\n', () => {
        unaryCall(shim.client, 'start', { id: name }).catch(() => undefined);
      });
      const out = await attached;
      expect(out.stdout).toBe('got hello\n');
      expect(out.stderr).toBe('bye\n');
      expect(out.exit.exitCode).toBe(4);
      const again = await shim.attach(name);
      expect(again.exit.exitCode).toBe(4);
      expect(again.stdout).toBe('');
    } finally {
      await unaryCall(shim.client, 'delete', { id: name, force: true }, { timeoutMs: 60_000 });
    }
  });

  it('creates and starts in one step, holding the output for the attach that follows', async () => {
    const name = id('run');
    const state = await shim.create(shim.spec(name, ['sh', '-c', 'echo early; echo late >&2; exit 5']), { start: true, holdOutput: true });
    try {
      expect(state.status).toBe(Status.STATUS_RUNNING);
      expect(state.startedAt).not.toBe('');
      await sleep(200); // long done by now, yet nothing is lost and the exit waits for the attach
      const out = await shim.attach(name);
      expect(out).toMatchObject({ stdout: 'early\n', stderr: 'late\n' });
      expect(out.exit.exitCode).toBe(5);
    } finally {
      await unaryCall(shim.client, 'delete', { id: name, force: true }, { timeoutMs: 60_000 });
    }
  });

  it('lets an attach sent along with the create wait for it, and fail with it', async () => {
    const name = id('along');
    const attached = shim.attach(name, undefined, undefined, true);
    await sleep(100); // the create arrives after the attach
    await shim.create(shim.spec(name, ['sh', '-c', 'echo along; exit 2']), { start: true, holdOutput: true });
    try {
      const out = await attached;
      expect(out.stdout).toBe('along\n');
      expect(out.exit.exitCode).toBe(2);
    } finally {
      await unaryCall(shim.client, 'delete', { id: name, force: true }, { timeoutMs: 60_000 });
    }
    // One that ended, its held output let go to the log, before the attach came: the log is replayed.
    const late = id('along-late');
    await shim.create(shim.spec(late, ['sh', '-c', 'echo late; exit 6']), { start: true, holdOutput: true });
    try {
      await unaryCall(shim.client, 'wait', { id: late }, { timeoutMs: 30_000 });
      const out = await shim.attach(late, undefined, undefined, true);
      expect(out.stdout).toBe('late\n');
      expect(out.exit.exitCode).toBe(6);
    } finally {
      await unaryCall(shim.client, 'delete', { id: late, force: true }, { timeoutMs: 60_000 });
    }
    const failing = id('along-failing');
    const refused = shim.attach(failing, undefined, undefined, true);
    await expect(shim.create(shim.spec(failing, ['no-such-command']), { start: true, holdOutput: true })).rejects.toMatchObject({ code: ErrorCode.CommandNotFound });
    await expect(refused).rejects.toThrow(/executable file not found/);
  }, 30_000);

  it('runs a privileged container with a terminal', async () => {
    const name = id('priv');
    const spec = shim.spec(name, ['sh', '-c', 'grep Seccomp: /proc/self/status; test -c /dev/null && ls /dev | wc -l; tty'], {
      tty: true,
      security: runtime.Security.fromPartial({ privileged: true, seccompProfile: 'unconfined' }),
    });
    const out = await shim.run(spec);
    expect(out.exit.exitCode).toBe(0);
    expect(out.stdout).toMatch(/Seccomp:\s+0/);
    expect(out.stdout).toMatch(/\/dev\/(pts\/\d+|console)/);
  });

  it('keeps containers running across a SIGKILL of the shim', async () => {
    const name = id('survive');
    await shim.create(shim.spec(name, ['sh', '-c', 'echo before; sleep 3; echo after; exit 7']));
    try {
      await unaryCall(shim.client, 'start', { id: name });
      await sleep(500);
      await shim.stop('SIGKILL');
      await shim.start();
      const state = await unaryCall(shim.client, 'state', { id: name });
      expect(state.status).toBe(Status.STATUS_RUNNING);
      const exit = await unaryCall(shim.client, 'wait', { id: name }, { timeoutMs: 30_000 });
      expect(exit.exitCode).toBe(7);
      expect((await shim.logs(name)).stdout).toBe('before\nafter\n');
      expect((await unaryCall(shim.client, 'list', {})).containers.map((c) => c.id)).toContain(name);
    } finally {
      await unaryCall(shim.client, 'delete', { id: name, force: true }, { timeoutMs: 60_000 });
    }
    const bundle = join(shim.root, 'runtime/bundles', name);
    expect(existsSync(bundle)).toBe(false);
    expect(existsSync(join(shim.root, 'runtime/logs', `${name}.log`))).toBe(false);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(bundle);
  });

  it('force-deletes a running container and a created one', async () => {
    const running = id('force');
    await shim.create(shim.spec(running, ['sleep', '1000']));
    await unaryCall(shim.client, 'start', { id: running });
    const pid = (await unaryCall(shim.client, 'state', { id: running })).pid;
    await unaryCall(shim.client, 'delete', { id: running, force: true }, { timeoutMs: 60_000 });
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    const created = id('created');
    await shim.create(shim.spec(created, ['sleep', '1000']));
    // The mounted rootfs is in the bundle, whose path mountinfo shows to every host user: only
    // root may enter it (docker's CVE-2021-41091).
    expect(statSync(join(shim.root, 'runtime/bundles', created)).mode & 0o777).toBe(0o700);
    await unaryCall(shim.client, 'delete', { id: created, force: false }, { timeoutMs: 60_000 });
    await expect(unaryCall(shim.client, 'state', { id: created })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  // Where an exited container could still hold something on the host: its rootfs mount, runc's
  // state and a cgroup in any hierarchy.
  const heldBy = (name: string): string[] => {
    const bundle = join(shim.root, 'runtime/bundles', name);
    const held = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((line) => line.split(' ')[4]?.startsWith(bundle))
      .map((line) => `mount: ${line}`);
    if (existsSync(join(shim.root, 'runtime/state', name))) held.push('runc state');
    for (const controller of [...readdirSync('/sys/fs/cgroup'), '']) {
      const dir = join('/sys/fs/cgroup', controller, shim.cgroupParent, name);
      if (existsSync(dir)) held.push(`cgroup: ${dir}`);
    }
    return held;
  };
  const waitUntil = async (done: () => boolean, ms = 10_000): Promise<boolean> => {
    for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) if (done()) return true;
    return done();
  };

  it('releases an exited container at once, keeping its state and logs until Delete', async () => {
    const name = id('release');
    await shim.create(shim.spec(name, ['sh', '-c', 'echo done; echo oops >&2; exit 9']));
    try {
      expect(heldBy(name).length).toBeGreaterThan(0);
      await unaryCall(shim.client, 'start', { id: name });
      const exit = await unaryCall(shim.client, 'wait', { id: name }, { timeoutMs: 30_000 });
      expect(exit.exitCode).toBe(9);
      expect(heldBy(name)).toEqual([]);

      const state = await unaryCall(shim.client, 'state', { id: name });
      expect(state).toMatchObject({ status: Status.STATUS_STOPPED, exitCode: 9, oomKilled: false, finishedAt: exit.finishedAt });
      expect(state.finishedAt).not.toBe('');
      const listed = (await unaryCall(shim.client, 'list', {})).containers.find((c) => c.id === name);
      expect(listed).toMatchObject({ status: Status.STATUS_STOPPED, exitCode: 9 });
      expect(await shim.logs(name)).toEqual({ stdout: 'done\n', stderr: 'oops\n' });
      await expect(unaryCall(shim.client, 'start', { id: name })).rejects.toMatchObject({ code: ErrorCode.FailedPrecondition });

      // A restarted shim still knows it, and finds nothing to release.
      await shim.stop('SIGKILL');
      await shim.start();
      expect(await unaryCall(shim.client, 'state', { id: name })).toMatchObject({ status: Status.STATUS_STOPPED, exitCode: 9, finishedAt: exit.finishedAt });
      expect((await shim.logs(name)).stdout).toBe('done\n');
    } finally {
      await unaryCall(shim.client, 'delete', { id: name, force: false }, { timeoutMs: 60_000 });
    }
    await expect(unaryCall(shim.client, 'state', { id: name })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(existsSync(join(shim.root, 'runtime/bundles', name))).toBe(false);
    expect(existsSync(join(shim.root, 'runtime/exits', `${name}.json`))).toBe(false);
    expect(existsSync(join(shim.root, 'runtime/logs', `${name}.log`))).toBe(false);
  });

  it('releases a container nobody waits for, and one that exits while no shim runs', async () => {
    const watched = id('unwatched');
    const offline = id('offline');
    await shim.create(shim.spec(watched, ['sh', '-c', 'exit 2']));
    await shim.create(shim.spec(offline, ['sh', '-c', 'sleep 1; exit 3']));
    try {
      await unaryCall(shim.client, 'start', { id: watched });
      // No Wait, State or List: the shim's own watcher releases it.
      expect(await waitUntil(() => heldBy(watched).length === 0)).toBe(true);

      await unaryCall(shim.client, 'start', { id: offline });
      await shim.stop('SIGKILL');
      expect(await waitUntil(() => existsSync(join(shim.root, 'runtime/exits', `${offline}.json`)))).toBe(true);
      expect(heldBy(offline).length).toBeGreaterThan(0);
      await shim.start();
      expect(heldBy(offline)).toEqual([]);
      expect(await unaryCall(shim.client, 'state', { id: offline })).toMatchObject({ status: Status.STATUS_STOPPED, exitCode: 3 });

      // The daemon starts a stopped container again as Delete, Create, Start with the same id.
      await unaryCall(shim.client, 'delete', { id: watched, force: true }, { timeoutMs: 60_000 });
      await shim.create(shim.spec(watched, ['sh', '-c', 'echo again; exit 4']));
      await unaryCall(shim.client, 'start', { id: watched });
      expect((await unaryCall(shim.client, 'wait', { id: watched }, { timeoutMs: 30_000 })).exitCode).toBe(4);
      expect((await shim.logs(watched)).stdout).toBe('again\n');
      expect(heldBy(watched)).toEqual([]);
    } finally {
      await unaryCall(shim.client, 'delete', { id: watched, force: true }, { timeoutMs: 60_000 });
      await unaryCall(shim.client, 'delete', { id: offline, force: true }, { timeoutMs: 60_000 });
    }
  });

  it('cleans half-made containers when it starts', async () => {
    const bundle = join(shim.root, 'runtime/bundles', id('half'));
    await shim.stop();
    mkdirSync(join(bundle, 'rootfs'), { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(bundle, 'rootfs')]);
    await shim.start();
    expect(existsSync(bundle)).toBe(false);
  });

  it('keeps its cgroup parent while it runs, and drops it once empty when it stops', async () => {
    const name = id('parent');
    await shim.create(shim.spec(name, ['true']), { start: true });
    await unaryCall(shim.client, 'wait', { id: name }, { timeoutMs: 30_000 });
    await unaryCall(shim.client, 'delete', { id: name, force: true }, { timeoutMs: 60_000 });
    const parentDirs = [...readdirSync('/sys/fs/cgroup'), ''].map((controller) => join('/sys/fs/cgroup', controller, shim.cgroupParent));
    expect(parentDirs.some((dir) => existsSync(dir))).toBe(true);
    await shim.stop();
    expect(parentDirs.filter((dir) => existsSync(dir))).toEqual([]);
    await shim.start();
  });
});
