import type { ImageRecord } from './metadata-store';
import { pruneCandidates } from './prune';
import { spaceUsage } from './space-usage';

const layer = (chainId: string, size: number): ImageRecord['layers'][number] => ({ diffId: chainId, chainId, blobDigest: `blob-${chainId}`, size });
const image = (id: string, layers: ImageRecord['layers'], created = '2025-01-01T00:00:00Z', labels: Record<string, string> = {}): ImageRecord => ({
  id,
  manifestDigest: `m-${id}`,
  config: { architecture: 'amd64', os: 'linux', created, config: { Labels: labels }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } },
  layers,
});

describe('system df figures', () => {
  it('counts shared layers once and gives each image its shared part', () => {
    const base = layer('base', 1000);
    const usage = spaceUsage([image('a', [base, layer('a1', 10)]), image('b', [base, layer('b1', 20)]), image('c', [layer('c1', 5)])]);
    expect(usage.layersSize).toBe(1035);
    expect(usage.images.map((i) => [i.record.id, i.sharedSize])).toEqual([
      ['a', 1000],
      ['b', 1000],
      ['c', 0],
    ]);
  });
});

describe('image prune selection', () => {
  const tags: Record<string, string[]> = { tagged: ['docker.io/library/x:1'] };
  const images = [
    image('dangling', [], '2025-01-01T00:00:00Z', { keep: 'yes' }),
    image('tagged', [], '2025-01-03T00:00:00Z'),
    image('used', [], '2024-01-01T00:00:00Z'),
  ];
  const pick = (all: boolean, filters: string[] = []): string[] =>
    pruneCandidates(images, (id) => tags[id] ?? [], { all, inUse: ['used'], filters, now: Date.parse('2025-01-04T00:00:00Z') }).map((r) => r.id);

  it('takes dangling images by default, every unused one with all, never a used one', () => {
    expect(pick(false)).toEqual(['dangling']);
    expect(pick(true)).toEqual(['dangling', 'tagged']);
    expect(pick(false, ['dangling=false'])).toEqual(['dangling', 'tagged']);
  });

  it('applies until= and label filters', () => {
    expect(pick(true, ['until=48h'])).toEqual(['dangling']);
    expect(pick(true, ['label=keep'])).toEqual(['dangling']);
    expect(pick(true, ['label!=keep=yes'])).toEqual(['tagged']);
    expect(() => pick(true, ['reference=x'])).toThrow("Invalid filter 'reference'");
  });
});

describe('image prune filter values', () => {
  it('refuses a bad until= even when nothing would be pruned', () => {
    expect(() => pruneCandidates([], () => [], { all: false, inUse: [], filters: ['until=xyz'], now: 0 })).toThrow('failed to parse value as time or duration: "xyz"');
  });
});
