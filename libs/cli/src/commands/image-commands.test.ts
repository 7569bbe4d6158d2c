import { unary } from '@berth/grpc-kit';
import { daemon, types } from '@berth/proto';
import { berth, FakeDaemon } from '../__fixtures__/fake-daemon';

const ID = `sha256:${'c'.repeat(64)}`;
const image = types.Image.fromPartial({
  id: ID,
  repoTags: ['busybox:latest'],
  created: '2025-01-01T09:00:00Z',
  size: 1_984_299,
  layerSizes: [1_984_299],
  history: [{ created: '2025-01-01T09:00:00Z', createdBy: 'berth import', comment: 'Imported from -' }],
});

describe('images, history, image prune and system df against a fake daemon', () => {
  const fake = new FakeDaemon();
  const listed: daemon.ListImagesRequest[] = [];
  const pruned: daemon.PruneImagesRequest[] = [];

  beforeAll(() =>
    fake.start({
      listImages: unary(async (request: daemon.ListImagesRequest) => {
        listed.push(request);
        return { images: [image] };
      }),
      inspectImage: unary(async () => image),
      pruneImages: unary(async (request: daemon.PruneImagesRequest) => {
        pruned.push(request);
        return { images: [{ untagged: ['busybox:latest'], deleted: [ID] }], spaceReclaimed: 1_984_299 };
      }),
      diskUsage: unary(async () =>
        daemon.DiskUsageResponse.fromPartial({ layersSize: 1_984_299, images: [{ image, sharedSize: 0, containers: 0 }], containers: [] }),
      ),
    }),
  );
  afterAll(() => fake.stop());

  it('images sends its argument as a reference filter beside --filter', async () => {
    const result = await berth(fake.host, ['images', '-f', 'dangling=false', 'busy*']);
    expect(result.code).toBe(0);
    expect(listed.at(-1)).toEqual({ all: false, filters: ['dangling=false', 'reference=busy*'] });
    expect(result.stdout).toBe('REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\nbusybox      latest    cccccccccccc   3 hours ago   1.98MB\n');
  });

  it('history prints docker table', async () => {
    expect((await berth(fake.host, ['history', 'busybox'])).stdout).toBe(
      'IMAGE          CREATED       CREATED BY     SIZE      COMMENT\ncccccccccccc   3 hours ago   berth import   1.98MB    Imported from -\n',
    );
  });

  it('image prune asks first, and -f does not', async () => {
    const count = pruned.length;
    const no = await berth(fake.host, ['image', 'prune', '-a'], { input: 'N\n' });
    expect(no).toEqual({ code: 0, stdout: 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] ', stderr: '' });
    expect(pruned).toHaveLength(count);
    const yes = await berth(fake.host, ['image', 'prune', '-f', '--filter', 'until=24h']);
    expect(yes.stdout).toBe(`Deleted Images:\nuntagged: busybox:latest\ndeleted: ${ID}\n\nTotal reclaimed space: 1.984MB\n`);
    expect(pruned.at(-1)).toEqual({ all: false, filters: ['until=24h'] });
    expect(await berth(fake.host, ['image', 'prune', 'extra'])).toMatchObject({ code: 1 });
  });

  it('system df prints its four rows', async () => {
    expect((await berth(fake.host, ['system', 'df'])).stdout).toBe(
      [
        'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE',
        'Images          1         0         1.984MB   1.984MB (100%)',
        'Containers      0         0         0B        0B',
        'Local Volumes   0         0         0B        0B',
        'Build Cache     0         0         0B        0B',
        '',
      ].join('\n'),
    );
  });
});
