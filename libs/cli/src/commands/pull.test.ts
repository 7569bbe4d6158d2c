import { PassThrough } from 'node:stream';
import { notFound } from '@berth/errors';
import { serverStream, unary } from '@berth/grpc-kit';
import type { daemon } from '@berth/proto';
import { berth, FakeDaemon } from '../__fixtures__/fake-daemon';
import { progressBar, progressSize, PullRenderer } from '../format/pull-progress';

const A = 'a'.repeat(12);
const B = 'b'.repeat(12);
const layer = (id: string, status: string, current = 0, total = 0): daemon.PullImageProgress => ({ event: { $case: 'layer', value: { id, digest: `sha256:${id}`, status, current, total } } });
const done = (upToDate: boolean): daemon.PullImageProgress => ({ event: { $case: 'done', value: { reference: 'x', digest: 'sha256:feed', imageId: 'sha256:i', upToDate } } });

describe('pull progress rendering', () => {
  it("draws docker's bar and sizes", () => {
    expect(progressSize(1_234_567)).toBe('1.235MB');
    expect(progressSize(512)).toBe('512B');
    expect(progressBar(1_200_000, 3_400_000)).toBe(`[${'='.repeat(17)}>${' '.repeat(32)}]    1.2MB/3.4MB`);
    expect(progressBar(10, 10)).toBe(`[${'='.repeat(50)}]      10B/10B`);
  });

  const render = (tty: boolean, events: daemon.PullImageProgress[], upToDate = false): string => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const renderer = new PullRenderer(out, tty);
    for (const e of events) renderer.event(e);
    renderer.finish(upToDate);
    out.end();
    return Buffer.concat(chunks).toString();
  };

  const pulled = [layer(B, 'exists'), layer(A, 'waiting'), layer(A, 'downloading', 5, 10), layer(A, 'downloading', 10, 10), layer(A, 'verifying'), layer(A, 'extracting'), layer(A, 'complete')];

  it('prints one plain line per status change when not on a terminal', () => {
    expect(render(false, pulled).split('\n')).toEqual([
      `${B}: Already exists`,
      `${A}: Pulling fs layer`,
      `${A}: Waiting`,
      `${A}: Downloading`,
      `${A}: Verifying Checksum`,
      `${A}: Download complete`,
      `${A}: Extracting`,
      `${A}: Pull complete`,
      '',
    ]);
  });

  it('redraws each layer in place on a terminal', () => {
    const text = render(true, [layer(A, 'waiting'), layer(B, 'waiting'), layer(A, 'downloading', 5, 10)]);
    expect(text.startsWith(`${A}: Pulling fs layer\n\x1b[1A\r\x1b[2K${A}: Waiting\r\x1b[1B${B}: Pulling fs layer\n`)).toBe(true);
    expect(text).toContain(`\x1b[2A\r\x1b[2K${A}: Downloading [${'='.repeat(25)}>`);
    expect(text).toContain('\x1b[2B');
  });

  it('prints no layer lines for an image that is up to date', () => {
    expect(render(false, [layer(A, 'exists'), layer(B, 'exists')], true)).toBe('');
  });
});

describe('berth pull, and run/create of a missing image, against a fake daemon', () => {
  const fake = new FakeDaemon();
  const pulls: daemon.PullImageRequest[] = [];
  let have = false;

  beforeAll(() =>
    fake.start({
      pullImage: serverStream(async (request: daemon.PullImageRequest, call) => {
        pulls.push(request);
        if (request.reference.startsWith('nope')) throw notFound('manifest unknown');
        if (!have) for (const e of [layer(A, 'waiting'), layer(A, 'downloading', 10, 10), layer(A, 'verifying'), layer(A, 'extracting'), layer(A, 'complete')]) call.write(e);
        call.write(done(have));
        have = true;
      }),
      createContainer: unary(async (request: daemon.CreateContainerRequest) => {
        if (!have) throw notFound(`No such image: ${request.config?.image ?? ''}`);
        return { id: 'c'.repeat(64), warnings: [] };
      }),
    }),
  );
  afterAll(() => fake.stop());
  beforeEach(() => {
    pulls.length = 0;
    have = false;
  });

  it("prints docker's progress, digest, status and full reference", async () => {
    const first = await berth(fake.host, ['pull', '--platform', 'linux/amd64', 'busybox']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      [
        'latest: Pulling from library/busybox',
        `${A}: Pulling fs layer`,
        `${A}: Waiting`,
        `${A}: Downloading`,
        `${A}: Verifying Checksum`,
        `${A}: Download complete`,
        `${A}: Extracting`,
        `${A}: Pull complete`,
        'Digest: sha256:feed',
        'Status: Downloaded newer image for busybox:latest',
        'docker.io/library/busybox:latest',
        '',
      ].join('\n'),
    );
    expect(pulls).toEqual([{ reference: 'busybox', platform: 'linux/amd64' }]);
    const again = await berth(fake.host, ['pull', '127.0.0.1:5001/a/b:t']);
    expect(again.stdout).toBe('t: Pulling from a/b\nDigest: sha256:feed\nStatus: Image is up to date for 127.0.0.1:5001/a/b:t\n127.0.0.1:5001/a/b:t\n');
  });

  it('prints only the reference with -q, and fails as docker does', async () => {
    expect(await berth(fake.host, ['pull', '-q', 'busybox'])).toEqual({ code: 0, stdout: 'docker.io/library/busybox:latest\n', stderr: '' });
    const failed = await berth(fake.host, ['pull', 'nope']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('manifest unknown');
  });

  it('create pulls a missing image, with the progress on stderr', async () => {
    const result = await berth(fake.host, ['create', 'busybox']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${'c'.repeat(64)}\n`);
    expect(result.stderr.startsWith("Unable to find image 'busybox:latest' locally\nlatest: Pulling from library/busybox\n")).toBe(true);
    expect(result.stderr).toContain('Status: Downloaded newer image for busybox:latest\n');
    expect(result.stderr).not.toContain('docker.io/library/busybox:latest');
  });

  it('--pull never fails with 125, --pull always pulls first, -q hides the pull', async () => {
    const never = await berth(fake.host, ['create', '--pull', 'never', 'busybox']);
    expect(never.code).toBe(125);
    expect(never.stderr).toContain('No such image: busybox');
    expect(pulls).toEqual([]);
    const quiet = await berth(fake.host, ['create', '-q', 'busybox']);
    expect(quiet).toEqual({ code: 0, stdout: `${'c'.repeat(64)}\n`, stderr: '' });
    pulls.length = 0;
    const always = await berth(fake.host, ['create', '--pull', 'always', 'busybox']);
    expect(always.code).toBe(0);
    expect(always.stderr).toContain('Status: Image is up to date for busybox:latest');
    expect(pulls).toHaveLength(1);
  });
});
