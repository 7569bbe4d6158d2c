import { unary } from '@berth/grpc-kit';
import { berth, FakeDaemon, testIO } from './__fixtures__/fake-daemon';
import { FakeContainers } from './__fixtures__/fake-containers';

describe('berth run against a fake daemon', () => {
  const fake = new FakeDaemon();
  let engine: FakeContainers;

  beforeAll(async () => {
    engine = new FakeContainers();
    await fake.start(engine.service());
  });
  afterAll(() => fake.stop());

  const run = (args: string[], input?: string) => berth(fake.host, args, { input });

  it('prints the output and exits 0', async () => {
    const result = await run(['run', '--rm', 'img', 'echo', 'hello', 'world']);
    expect(result).toEqual({ code: 0, stdout: 'hello world\n', stderr: '' });
  });

  it("exits with the container's code and keeps stderr apart", async () => {
    expect((await run(['run', 'img', 'exit', '3'])).code).toBe(3);
    const warn = await run(['run', 'img', 'warn', 'careful']);
    expect(warn).toEqual({ code: 0, stdout: '', stderr: 'careful\n' });
  });

  it('stops option parsing at the image: later flags belong to the command', async () => {
    await run(['run', '--name', 'n1', '-e', 'A=1', 'img', 'echo', '-e', '--name', 'x']);
    const request = engine.created.at(-1)!;
    expect(request.name).toBe('n1');
    expect(request.config?.image).toBe('img');
    expect(request.config?.cmd).toEqual(['echo', '-e', '--name', 'x']);
    expect(request.config?.env).toEqual(['A=1']);
  });

  it('turns flags into the create request', async () => {
    await run([
      'run', '--rm', '-m', '4m', '--memory-swap', '-1', '--cpus', '1.5', '-c', '512', '--pids-limit', '8',
      '-l', 'a=b', '-l', 'flag', '--cap-add', 'NET_ADMIN', '--cap-drop', 'ALL', '--read-only', '--privileged',
      '-u', '1000:1000', '-w', '/tmp', '-h', 'box', '--entrypoint', '/bin/sh', '--stop-signal', 'SIGINT',
      '--stop-timeout', '3', '--network', 'host', '--runtime', 'runc', '--security-opt', 'no-new-privileges', 'img', 'exit', '0',
    ]);
    const { config, hostConfig } = engine.created.at(-1)!;
    expect(hostConfig).toMatchObject({
      autoRemove: true, memory: 4 * 1024 * 1024, memorySwap: -1, nanoCpus: 1_500_000_000, cpuShares: 512, pidsLimit: 8,
      capAdd: ['NET_ADMIN'], capDrop: ['ALL'], readOnlyRootfs: true, privileged: true, networkMode: 'host', runtime: 'runc',
      securityOpt: ['no-new-privileges'], seccompProfile: '',
    });
    expect(config).toMatchObject({
      user: '1000:1000', workingDir: '/tmp', hostname: 'box', entrypointSet: true, entrypoint: ['/bin/sh'],
      labels: { a: 'b', flag: '' }, stopSignal: 'SIGINT', stopTimeout: 3, cmd: ['exit', '0'],
    });
  });

  it('-d prints the full ID and does not wait', async () => {
    const result = await run(['run', '-d', 'img', 'sleep']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^c+\d+\n$/);
    expect(result.stdout.trim()).toHaveLength(64);
    await run(['kill', result.stdout.trim()]);
  });

  it('-i sends stdin and closes it at end of input', async () => {
    const result = await run(['run', '-i', 'img', 'cat'], 'piped text\n');
    expect(result).toEqual({ code: 0, stdout: 'piped text\n', stderr: '' });
    expect(engine.created.at(-1)?.config).toMatchObject({ openStdin: true, attachStdin: true });
  });

  it('forwards SIGINT to the container without a tty', async () => {
    const io = testIO(fake.host);
    const pending = berth(fake.host, ['run', 'img', 'sleep'], { io });
    // Signals are forwarded once the stream is live (the container started).
    while (io.signals.listenerCount('SIGINT') === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    io.signals.emit('SIGINT');
    const result = await pending;
    expect(result.code).toBe(130);
    expect(engine.kills.at(-1)?.signal).toBe('SIGINT');
  });

  it('exits 127 and 126 when the command cannot run, removing a --rm container', async () => {
    const removedBefore = engine.removed.length;
    const missing = await run(['run', '--rm', 'img', 'nosuch']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/^berth: Error response from daemon: exec: "nosuch": executable file not found/);
    expect(missing.stderr).toContain("Run 'berth run --help' for more information");
    expect(engine.removed).toHaveLength(removedBefore + 1);
    expect((await run(['run', 'img', 'noexec'])).code).toBe(126);
  });

  it('exits 125 for daemon errors, bad flags and bad values', async () => {
    const noImage = await run(['run', '--pull', 'never', 'missing', 'true']);
    expect(noImage.code).toBe(125);
    expect(noImage.stderr).toMatch(/^berth: Error response from daemon: No such image: missing:latest\n\nRun 'berth run --help'/);
    const flag = await run(['run', '--bogus', 'img']);
    expect(flag.code).toBe(125);
    expect(flag.stderr).toBe("unknown flag: --bogus\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n");
    const memory = await run(['run', '-m', '4x', 'img']);
    expect(memory.code).toBe(125);
    expect(memory.stderr).toMatch(/^invalid argument "4x" for "-m, --memory" flag: invalid suffix: 'x'/);
    const seccomp = await run(['run', '--security-opt', 'seccomp=/nonexistent.json', 'img', 'true']);
    expect(seccomp.code).toBe(125);
    expect(seccomp.stderr).toMatch(/opening seccomp profile \(\/nonexistent.json\) failed/);
  });

  it('requires an image, exit 1 like docker', async () => {
    const result = await run(['run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run/);
  });

  it('rm prints each name, reports each failure and exits 1', async () => {
    const id = (await run(['create', '--name', 'doomed', 'img', 'true'])).stdout.trim();
    expect(id).toHaveLength(64);
    const result = await run(['rm', 'doomed', 'ghost']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('doomed\n');
    expect(result.stderr).toBe('Error response from daemon: No such container: ghost\n');
  });

  it('wait prints exit codes', async () => {
    const id = (await run(['run', '-d', 'img', 'exit', '4'])).stdout.trim();
    expect(engine.created.at(-1)?.start).toBe(true); // created and started in one step
    expect(await run(['wait', id])).toEqual({ code: 0, stdout: '4\n', stderr: '' });
  });
});

describe('berth without a daemon', () => {
  it('says it cannot connect: exit 1, or 125 for run', async () => {
    const host = 'unix:///tmp/berth-no-such-dir/berthd.sock';
    const ps = await berth(host, ['ps']);
    expect(ps).toEqual({ code: 1, stdout: '', stderr: `Cannot connect to the Berth daemon at ${host}: is the daemon running?\n` });
    const run = await berth(host, ['run', 'img', 'true']);
    expect(run.code).toBe(125);
    expect(run.stderr).toBe(`berth: Cannot connect to the Berth daemon at ${host}: is the daemon running?\n\nRun 'berth run --help' for more information\n`);
  });

  it('takes the host from -H before BERTH_HOST', async () => {
    const result = await berth('unix:///tmp/from-env.sock', ['-H', 'unix:///tmp/from-flag.sock', 'ps']);
    expect(result.stderr).toContain('unix:///tmp/from-flag.sock');
  });

  it('reports unknown commands and flags like docker', async () => {
    expect(await berth(undefined, ['bogus'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^berth: unknown command: berth bogus/) });
    expect(await berth(undefined, ['ps', '--bogus'])).toMatchObject({ code: 125, stderr: expect.stringMatching(/^unknown flag: --bogus/) });
    expect(await berth(undefined, ['ps', '-z'])).toMatchObject({ code: 125, stderr: expect.stringMatching(/^unknown shorthand flag: 'z' in -z/) });
    expect(await berth(undefined, ['run', '--name'])).toMatchObject({ code: 125, stderr: expect.stringMatching(/^flag needs an argument: --name/) });
    expect(await berth(undefined, ['rename', 'a'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^berth: 'berth rename' requires 2 arguments/) });
    expect(await berth(undefined, ['ps', 'x'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^berth: 'berth ps' accepts no arguments/) });
  });

  it('prints docker-style help', async () => {
    const help = await berth(undefined, ['ps', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:  berth ps \[OPTIONS\]\n\nList containers\n\nOptions:\n  -a, --all /);
  });
});

describe('listing commands against a fake daemon', () => {
  const fake = new FakeDaemon();
  const created = '2025-01-01T11:59:55Z';

  beforeAll(() =>
    fake.start({
      listContainers: unary(async () => ({
        containers: [
          {
            id: 'a'.repeat(64), name: '/web', created, image: 'busybox', imageId: 'sha256:x', path: 'sh',
            args: ['-c', 'while true; do sleep 1; done'], logPath: '', driver: 'overlay2', platform: 'linux', restartCount: 0,
            rootfs: [], sizeRw: 0, config: undefined, hostConfig: undefined,
            state: { status: 'exited', running: false, paused: false, oomKilled: false, dead: false, pid: 0, exitCode: 4, error: '', startedAt: created, finishedAt: '2025-01-01T11:59:58Z' },
          },
        ],
      })),
      listImages: unary(async () => ({
        images: [
          { id: `sha256:${'b'.repeat(64)}`, repoTags: ['it/busybox:1', 'it/busybox:latest'], repoDigests: [], created: '2024-12-01T12:00:00Z', size: 4_261_376, architecture: 'amd64', os: 'linux', config: undefined, diffIds: [], history: [], manifestDigest: '', comment: '', author: '', layerSizes: [] },
        ],
      })),
    }),
  );
  afterAll(() => fake.stop());

  it('ps -a prints docker columns', async () => {
    const result = await berth(fake.host, ['ps', '-a']);
    expect(result.stdout).toBe(
      'CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS                     PORTS     NAMES\n' +
        'aaaaaaaaaaaa   busybox   "sh -c \'while true; …"   5 seconds ago   Exited (4) 2 seconds ago             web\n',
    );
  });

  it('ps -q --no-trunc and --format', async () => {
    expect((await berth(fake.host, ['ps', '-aq', '--no-trunc'])).stdout).toBe(`${'a'.repeat(64)}\n`);
    expect((await berth(fake.host, ['ps', '-a', '--format', '{{.Names}} {{.State}}'])).stdout).toBe('web exited\n');
    const json = JSON.parse((await berth(fake.host, ['ps', '-a', '--format', 'json'])).stdout) as Record<string, string>;
    expect(json).toMatchObject({ ID: 'aaaaaaaaaaaa', Names: 'web', Status: 'Exited (4) 2 seconds ago' });
  });

  it('images prints one row per tag with human sizes', async () => {
    const result = await berth(fake.host, ['images']);
    expect(result.stdout).toBe(
      'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n' +
        'it/busybox   1         bbbbbbbbbbbb   4 weeks ago   4.26MB\n' +
        'it/busybox   latest    bbbbbbbbbbbb   4 weeks ago   4.26MB\n',
    );
    // docker 28 prints the ID once per row (dockerd's own `docker images -q` repeats it per tag).
    expect((await berth(fake.host, ['images', '-q'])).stdout).toBe('bbbbbbbbbbbb\nbbbbbbbbbbbb\n');
  });
});
