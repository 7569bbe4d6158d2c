import { existsSync } from 'node:fs';
import { busyboxTar, describeIntegration, Stack } from '../harness';

const IMAGE = 'it/busybox:1';

describeIntegration('containers on a real stack', () => {
  const stack = new Stack();

  beforeAll(async () => {
    stack.up();
    await stack.must(['import', busyboxTar(), IMAGE]);
  }, 120_000);

  afterAll(() => stack.destroy(), 120_000);

  const run = (args: string[], input?: string) => stack.berth(['run', '--rm', ...args], { input });

  it('runs the command as PID 1 with its own hostname', async () => {
    const pid1 = await run([IMAGE, 'cat', '/proc/1/cmdline']);
    expect(pid1.code).toBe(0);
    expect(pid1.stdout).toBe('cat\0/proc/1/cmdline\0');
    const host = await run(['--hostname', 'isolated', IMAGE, 'hostname']);
    expect(host.stdout.trim()).toBe('isolated');
  });

  it('cannot see the host filesystem or processes', async () => {
    const files = await run([IMAGE, 'sh', '-c', 'test -e /work || test -e /usr/lib/node_modules || test -e /root/.npm; echo $?']);
    expect(files.stdout.trim()).toBe('1');
    const ps = await run([IMAGE, 'sh', '-c', 'ls /proc | grep -c "^[0-9]"']);
    expect(Number(ps.stdout.trim())).toBeLessThanOrEqual(3);
  });

  it("has Docker's capabilities and seccomp filter", async () => {
    const status = await run([IMAGE, 'grep', '-E', '^(CapEff|CapPrm|CapInh|CapAmb|Seccomp):', '/proc/self/status']);
    expect(status.stdout).toMatch(/CapEff:\s+00000000a80425fb/);
    expect(status.stdout).toMatch(/CapInh:\s+0000000000000000/);
    expect(status.stdout).toMatch(/CapAmb:\s+0000000000000000/);
    expect(status.stdout).toMatch(/Seccomp:\s+2/);
    const privileged = await run(['--privileged', IMAGE, 'grep', 'Seccomp:', '/proc/self/status']);
    expect(privileged.stdout).toMatch(/Seccomp:\s+0/);
  });

  it('masks and protects kernel paths', async () => {
    // Masked paths read as empty (bind-mounted /dev/null or an empty tmpfs); /proc/sys is read-only.
    const masked = ['/proc/keys', '/proc/timer_list', '/proc/sched_debug', '/proc/kcore'].filter((p) => existsSync(p));
    const script = `${masked.map((p) => `echo ${p}=$(cat ${p} 2>/dev/null | wc -c)`).join('; ')}; echo 1 > /proc/sys/kernel/panic; echo w=$?`;
    const result = await run([IMAGE, 'sh', '-c', script]);
    for (const path of masked) expect(result.stdout).toContain(`${path}=0`);
    expect(result.stdout).toMatch(/w=1/);
  });

  it('gives loopback only with --network none and the host network with --network host', async () => {
    const none = await run([IMAGE, 'ls', '/sys/class/net']);
    expect(none.stdout.trim()).toBe('lo');
    const host = await run(['--network', 'host', IMAGE, 'ls', '/sys/class/net']);
    expect(host.stdout.split(/\s+/).length).toBeGreaterThan(1);
  });

  it('kills a container over its memory limit with 137 and OOMKilled', async () => {
    const name = `oom-${Date.now()}`;
    const result = await stack.berth(['run', '--name', name, '-m', '8m', '--memory-swap', '8m', IMAGE, 'sh', '-c', 'a=x; while :; do a="$a$a"; done']);
    expect(result.code).toBe(137);
    const [inspect] = JSON.parse(await stack.must(['inspect', name])) as Array<{ State: { OOMKilled: boolean; ExitCode: number } }>;
    expect(inspect?.State.OOMKilled).toBe(true);
    expect(inspect?.State.ExitCode).toBe(137);
    await stack.must(['rm', name]);
  });

  it('enforces the pids limit', async () => {
    const result = await run(['--pids-limit', '8', IMAGE, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 2 & done 2>&1; wait']);
    expect(result.stdout + result.stderr).toMatch(/fork|Resource temporarily unavailable/i);
  });

  it('enforces --read-only and honours -u', async () => {
    const ro = await run(['--read-only', IMAGE, 'sh', '-c', 'touch /x 2>&1; echo rc=$?']);
    expect(ro.stdout).toMatch(/Read-only file system/);
    expect(ro.stdout).toMatch(/rc=1/);
    const user = await run(['-u', '1000:1000', IMAGE, 'id']);
    expect(user.stdout.trim()).toMatch(/^uid=1000.* gid=1000/);
    const named = await run(['-u', 'nobody', IMAGE, 'id', '-u']);
    expect(named.stdout.trim()).toBe('65534');
  });

  it("returns docker's exit codes", async () => {
    expect((await run([IMAGE, 'sh', '-c', 'exit 3'])).code).toBe(3);
    expect((await run([IMAGE, 'nosuchcommand'])).code).toBe(127);
    expect((await run([IMAGE, '/etc/passwd'])).code).toBe(126);
    expect((await stack.berth(['run', '--rm', '--bogus-flag', IMAGE])).code).toBe(125);
    // --pull never: a missing image is the answer at once, with no registry asked.
    expect((await stack.berth(['run', '--rm', '--pull', 'never', 'it/nosuchimage:1', 'true'])).code).toBe(125);
  });

  it('passes stdin through with -i', async () => {
    const result = await stack.berth(['run', '--rm', '-i', IMAGE, 'tr', 'a-z', 'A-Z'], { input: 'hello\n' });
    expect(result.stdout).toBe('HELLO\n');
  });

  it('is done with a --rm container once run returns: its name is free and ps shows nothing', async () => {
    for (let i = 0; i < 3; i++) {
      const result = await stack.berth(['run', '--rm', '--name', 'once-more', IMAGE, 'sh', '-c', 'exit 3']);
      expect(result.code).toBe(3);
      expect(await stack.must(['ps', '-aq'])).toBe('');
    }
  });

  it('still removes a --rm container whose run client went away before it exited', async () => {
    // The CLI is killed once the container has printed: the daemon no longer sees the exit on the
    // stream, and removes the container when it exits all the same.
    const killed = await stack.watch(['run', '--rm', '--name', 'left-behind', IMAGE, 'sh', '-c', 'echo up; sleep 1'], (stdout, child) => {
      if (stdout.includes('up')) child.kill('SIGKILL');
    });
    expect(killed.code).toBeNull();
    expect(await stack.must(['ps', '-aq', '--filter', 'name=left-behind'])).not.toBe('');
    let left = 'still there';
    for (let i = 0; i < 50 && left !== ''; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await stack.must(['ps', '-aq', '--filter', 'name=left-behind']);
    }
    expect(left).toBe('');
  });

  it('keeps logs after exit and reports status in ps', async () => {
    const id = (await stack.must(['run', '-d', IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 4'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await stack.must(['wait', id])).trim()).toBe('4');
    const logs = await stack.berth(['logs', id]);
    expect(logs.stdout).toBe('out\n');
    expect(logs.stderr).toBe('err\n');
    const ps = await stack.must(['ps', '-a', '--no-trunc']);
    expect(ps).toMatch(new RegExp(`${id}.*Exited \\(4\\)`));
    await stack.must(['rm', id]);
  });

  it('execs into a running container, stops and removes it', async () => {
    const id = (await stack.must(['run', '-d', '--name', 'sleeper', IMAGE, 'sleep', '300'])).trim();
    const exec = await stack.berth(['exec', 'sleeper', 'sh', '-c', 'echo in-$(hostname); exit 5']);
    expect(exec.stdout.trim()).toBe(`in-${id.slice(0, 12)}`);
    expect(exec.code).toBe(5);
    const started = Date.now();
    await stack.must(['stop', '-t', '1', 'sleeper']);
    expect(Date.now() - started).toBeLessThan(15_000);
    await stack.must(['rm', 'sleeper']);
    expect((await stack.berth(['rm', 'sleeper'])).code).toBe(1);
  });
});
