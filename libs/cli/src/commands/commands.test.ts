import type { ServerDuplexStream, ServerReadableStream } from '@grpc/grpc-js';
import { BerthError, ErrorCode, notFound } from '@berth/errors';
import { bidiStream, clientStream, serverStream, unary } from '@berth/grpc-kit';
import type { daemon, types } from '@berth/proto';
import { berth, FakeDaemon } from '../__fixtures__/fake-daemon';

const ID = 'd'.repeat(64);
const IMAGE_ID = `sha256:${'e'.repeat(64)}`;

const container: daemon.Container = {
  id: ID, name: '/box', created: '2025-01-01T11:00:00Z', image: 'busybox', imageId: IMAGE_ID, path: 'sleep', args: ['300'],
  logPath: '/logs/x.log', driver: 'overlay2', platform: 'linux', restartCount: 0, rootfs: [], sizeRw: 0,
  state: { status: 'running', running: true, paused: false, oomKilled: false, dead: false, pid: 42, exitCode: 0, error: '', startedAt: '2025-01-01T11:00:01Z', finishedAt: '' },
  config: {
    image: 'busybox', cmd: ['sleep', '300'], entrypointSet: false, entrypoint: [], env: ['A=1'], workingDir: '', user: '', hostname: '',
    tty: false, openStdin: false, attachStdin: false, attachStdout: true, attachStderr: true, labels: { k: 'v' }, stopSignal: '', stopTimeout: 0,
  },
  hostConfig: {
    autoRemove: false, privileged: false, capAdd: [], capDrop: [], securityOpt: [], readOnlyRootfs: false, memory: 0, memorySwap: 0,
    nanoCpus: 0, cpuShares: 0, pidsLimit: 0, networkMode: 'none', runtime: 'runc', seccompProfile: '',
  },
};

const image: types.Image = {
  id: IMAGE_ID, repoTags: ['busybox:latest'], repoDigests: [], created: '2024-12-01T00:00:00Z', size: 4_261_376, architecture: 'amd64', os: 'linux',
  config: { user: '', env: ['PATH=/bin'], entrypoint: [], cmd: ['sh'], workingDir: '', labels: {}, exposedPorts: [], volumes: [], stopSignal: '' },
  diffIds: ['sha256:layer'], history: [], manifestDigest: '', comment: '', author: '', layerSizes: [4_261_376],
};

describe('exec, logs, inspect and image commands against a fake daemon', () => {
  const fake = new FakeDaemon();
  const execOpens: types.ExecOpen[] = [];
  const imports: { header?: daemon.ImportImageHeader; bytes: number } = { bytes: 0 };

  beforeAll(() =>
    fake.start({
      inspectContainer: unary(async ({ id }: daemon.ContainerRef) => {
        if (id === 'box' || id === ID) return container;
        throw notFound(`No such container: ${id}`);
      }),
      inspectImage: unary(async ({ reference }: daemon.ImageRef) => {
        if (reference === 'busybox') return image;
        throw notFound(`No such image: ${reference}`);
      }),
      logs: serverStream(async (request: types.LogsRequest, call) => {
        call.write({ stream: 1, data: Buffer.from('out\n'), time: '2025-01-01T11:00:02.000000001Z' });
        call.write({ stream: 2, data: Buffer.from(`err tail=${request.tail}\n`), time: '2025-01-01T11:00:03Z' });
      }),
      exec: bidiStream(async (call: ServerDuplexStream<types.StdioClientFrame, types.StdioServerFrame>) => {
        const open = await new Promise<types.ExecOpen>((resolve) => call.once('data', (m: types.StdioClientFrame) => m.frame?.$case === 'exec' && resolve(m.frame.value)));
        execOpens.push(open);
        if (open.args[0] === 'nosuch') throw new BerthError(ErrorCode.CommandNotFound, 'exec: "nosuch": executable file not found in $PATH');
        call.write({ frame: { $case: 'ready', value: true } });
        call.write({ frame: { $case: 'output', value: { stream: 1, data: Buffer.from(`ran ${open.args.join(' ')}\n`), time: '' } } });
        call.write({ frame: { $case: 'exit', value: { exitCode: 5, oomKilled: false, finishedAt: '' } } });
      }),
      importImage: clientStream(async (call: ServerReadableStream<daemon.ImportImageChunk, types.Image>) => {
        for await (const chunk of call as AsyncIterable<daemon.ImportImageChunk>) {
          if (chunk.part?.$case === 'header') imports.header = chunk.part.value;
          else if (chunk.part?.$case === 'data') imports.bytes += chunk.part.value.length;
        }
        return image;
      }),
      removeImage: unary(async ({ reference }: daemon.RemoveImageRequest) => {
        if (reference !== 'busybox') throw notFound(`No such image: ${reference}`);
        return { untagged: ['busybox:latest'], deleted: [IMAGE_ID] };
      }),
    }),
  );
  afterAll(() => fake.stop());

  it("exec runs the command and exits with its code", async () => {
    const result = await berth(fake.host, ['exec', '-e', 'X=1', '-w', '/tmp', '-u', 'nobody', 'box', 'sh', '-c', 'exit 5']);
    expect(result).toEqual({ code: 5, stdout: 'ran sh -c exit 5\n', stderr: '' });
    expect(execOpens.at(-1)).toMatchObject({ id: 'box', args: ['sh', '-c', 'exit 5'], env: ['X=1'], cwd: '/tmp', user: 'nobody', tty: false, stdin: false });
  });

  it('exec exits 127 when the command is missing', async () => {
    const result = await berth(fake.host, ['exec', 'box', 'nosuch']);
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/^Error response from daemon: exec: "nosuch"/);
  });

  it('logs splits stdout and stderr and passes --tail', async () => {
    expect(await berth(fake.host, ['logs', '--tail', '2', 'box'])).toEqual({ code: 0, stdout: 'out\n', stderr: 'err tail=2\n' });
    const stamped = await berth(fake.host, ['logs', '-t', 'box']);
    expect(stamped.stdout).toBe('2025-01-01T11:00:02.000000001Z out\n');
    expect(stamped.stderr).toBe('2025-01-01T11:00:03Z err tail=-1\n');
  });

  it('inspect prints a docker-like array, falls back to images, and formats', async () => {
    const [object] = JSON.parse((await berth(fake.host, ['inspect', 'box'])).stdout) as Array<Record<string, unknown>>;
    expect(object).toMatchObject({
      Id: ID, Name: '/box', Path: 'sleep', Args: ['300'], Image: IMAGE_ID,
      State: { Status: 'running', Running: true, Pid: 42, ExitCode: 0, OOMKilled: false },
      Config: { Image: 'busybox', Env: ['A=1'], Cmd: ['sleep', '300'], Labels: { k: 'v' }, Hostname: ID.slice(0, 12), Entrypoint: null },
      HostConfig: { NetworkMode: 'none', Runtime: 'runc' },
    });
    const [asImage] = JSON.parse((await berth(fake.host, ['inspect', 'busybox'])).stdout) as Array<Record<string, unknown>>;
    expect(asImage).toMatchObject({ Id: IMAGE_ID, RepoTags: ['busybox:latest'], RootFS: { Type: 'layers', Layers: ['sha256:layer'] }, Size: 4_261_376 });
    expect((await berth(fake.host, ['inspect', '-f', '{{.State.Pid}} {{.Name}}', 'box'])).stdout).toBe('42 /box\n');
    const missing = await berth(fake.host, ['inspect', 'ghost']);
    expect(missing).toEqual({ code: 1, stdout: '[]\n', stderr: 'Error: No such object: ghost\n' });
    expect((await berth(fake.host, ['image', 'inspect', 'box'])).stderr).toBe('Error: No such image: box\n');
  });

  it('import streams stdin and prints the image ID', async () => {
    const tarball = 'x'.repeat(300_000);
    const result = await berth(fake.host, ['import', '-m', 'hello', '-c', 'CMD ["sh"]', '-', 'it/img:1'], { input: tarball });
    expect(result).toEqual({ code: 0, stdout: `${IMAGE_ID}\n`, stderr: '' });
    expect(imports).toEqual({ header: { reference: 'it/img:1', message: 'hello', changes: ['CMD ["sh"]'] }, bytes: 300_000 });
    const missing = await berth(fake.host, ['import', '/nonexistent.tar']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file or directory/);
  });

  it('rmi prints Untagged and Deleted lines, and errors per image', async () => {
    const result = await berth(fake.host, ['rmi', 'busybox', 'ghost']);
    expect(result).toEqual({
      code: 1,
      stdout: `Untagged: busybox:latest\nDeleted: ${IMAGE_ID}\n`,
      stderr: 'Error response from daemon: No such image: ghost\n',
    });
  });
});
