import { daemon, types } from '@berth/proto';
import { diskUsageRows } from './disk-usage';
import { historyRows } from './history-rows';
import { imageRows } from './image-rows';
import { filterArg } from './filter-arg';
import { renderTable } from './table';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const ID = `sha256:${'b'.repeat(64)}`;
const DIGEST = `sha256:${'d'.repeat(64)}`;

const image = (over: Partial<types.Image>): types.Image =>
  types.Image.fromPartial({ id: ID, created: '2025-01-01T09:00:00Z', size: 1_984_172, ...over });

describe('images rows', () => {
  const options = { truncate: true, digests: false, now: NOW };

  it('shows one <none> row for an untagged image, with docker json keys', () => {
    expect(imageRows(image({}), options)).toEqual([
      {
        Containers: 'N/A',
        CreatedAt: '2025-01-01 09:00:00 +0000 UTC',
        CreatedSince: '3 hours ago',
        Digest: '<none>',
        ID: 'bbbbbbbbbbbb',
        Repository: '<none>',
        SharedSize: 'N/A',
        Size: '1.98MB',
        Tag: '<none>',
        UniqueSize: 'N/A',
        VirtualSize: '1.984MB',
      },
    ]);
  });

  it('gives a row per tag, digests only with --digests, and digest-only repositories their own row', () => {
    const pulled = image({ repoTags: ['busybox:latest', 'busybox:1'], repoDigests: [`busybox@${DIGEST}`, `127.0.0.1:5001/b@${DIGEST}`] });
    const pick = (rows: Record<string, string>[]): string[] => rows.map((r) => `${r.Repository} ${r.Tag} ${r.Digest}`);
    expect(pick(imageRows(pulled, options))).toEqual(['busybox latest <none>', 'busybox 1 <none>', '127.0.0.1:5001/b <none> <none>']);
    expect(pick(imageRows(pulled, { ...options, digests: true }))).toEqual([`busybox latest ${DIGEST}`, `busybox 1 ${DIGEST}`, `127.0.0.1:5001/b <none> ${DIGEST}`]);
    expect(imageRows(pulled, { ...options, truncate: false })[0]?.ID).toBe(ID);
  });
});

describe('history rows', () => {
  const built = image({
    layerSizes: [1000, 2_500_000],
    history: [
      { created: '2025-01-01T09:00:00Z', createdBy: '/bin/sh -c #(nop) ADD file:abc in /', comment: '', emptyLayer: false },
      { created: '2025-01-01T10:00:00Z', createdBy: 'CMD ["sh"]', comment: '', emptyLayer: true },
      { created: '2025-01-01T11:00:00Z', createdBy: 'RUN\tsomething long enough to need cutting at forty-five characters', comment: 'c', emptyLayer: false },
    ],
  });

  it('lists newest first, the ID on top, <missing> below, empty layers 0B', () => {
    const rows = historyRows(built, { human: true, truncate: true, now: NOW });
    expect(rows.map((r) => [r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment])).toEqual([
      ['bbbbbbbbbbbb', 'About an hour ago', 'RUN something long enough to need cutting at…', '2.5MB', 'c'],
      ['<missing>', '2 hours ago', 'CMD ["sh"]', '0B', ''],
      ['<missing>', '3 hours ago', '/bin/sh -c #(nop) ADD file:abc in /', '1kB', ''],
    ]);
  });

  it('prints exact sizes and times without -H, whole IDs with --no-trunc', () => {
    const rows = historyRows(built, { human: false, truncate: false, now: NOW });
    expect(rows[0]).toMatchObject({ ID: ID, CreatedSince: '2025-01-01T11:00:00Z', CreatedAt: '2025-01-01T11:00:00Z', Size: '2500000' });
    expect(rows[0]?.CreatedBy).toContain('forty-five characters');
  });
});

describe('system df rows', () => {
  const container = (status: string, sizeRw: number): daemon.Container =>
    daemon.Container.fromPartial({ id: status, imageId: ID, sizeRw, state: { status, running: status === 'running' } });

  it('counts layers once and gives back what no container holds, as docker does', () => {
    const usage = daemon.DiskUsageResponse.fromPartial({
      layersSize: 3_000_000,
      images: [
        { image: image({ size: 2_000_000 }), sharedSize: 1_000_000, containers: 1 },
        { image: image({ id: 'sha256:other', size: 2_000_000 }), sharedSize: 1_000_000, containers: 0 },
      ],
      containers: [container('running', 100), container('exited', 300)],
    });
    expect(diskUsageRows(usage)).toEqual([
      { Type: 'Images', TotalCount: '2', Active: '1', Size: '3MB', Reclaimable: '2MB (66%)' },
      { Type: 'Containers', TotalCount: '2', Active: '1', Size: '400B', Reclaimable: '300B (75%)' },
      { Type: 'Local Volumes', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
      { Type: 'Build Cache', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
    ]);
  });

  it('shows no percentage when there is nothing', () => {
    expect(diskUsageRows(daemon.DiskUsageResponse.fromPartial({}))[0]).toMatchObject({ Size: '0B', Reclaimable: '0B' });
  });
});

describe('--filter values', () => {
  it('need a name and a value', () => {
    expect(filterArg('dangling=true', [])).toEqual(['dangling=true']);
    expect(() => filterArg('label', [])).toThrow('bad format of filter (expected name=value)');
  });
});

describe('tables with an empty last cell', () => {
  it('keep the padding of the cell before it, as tabwriter does', () => {
    expect(renderTable([['SIZE', 'COMMENT'], ['0B', '']])).toBe('SIZE      COMMENT\n0B        \n');
  });
});
