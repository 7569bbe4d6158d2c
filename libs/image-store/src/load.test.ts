import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { ErrorCode } from '@berth/errors';
import { ImageStore } from './image-store';
import { readAll } from './save';

type Member = Partial<Header> & { name: string; body?: string | Buffer };

async function tarOf(members: Member[]): Promise<Buffer> {
  const p = pack();
  const done = readAll(p as unknown as Readable);
  for (const { body, ...header } of members) {
    if (body === undefined) p.entry({ mode: 0o644, ...header });
    else p.entry({ mode: 0o644, ...header }, body);
  }
  p.finalize();
  return done;
}

const sha = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const hex = (digest: string): string => digest.slice(7);

interface Fixture {
  layers: Buffer[];
  config: Buffer;
  id: string;
}

async function fixture(marker: string): Promise<Fixture> {
  const base = await tarOf([{ name: 'bin/', type: 'directory', mode: 0o755 }, { name: 'bin/sh', body: '#!', mode: 0o755 }]);
  const top = await tarOf([{ name: 'etc/', type: 'directory', mode: 0o755 }, { name: 'etc/marker', body: marker }]);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [sha(base), sha(top)] } }));
  return { layers: [base, top], config, id: sha(config) };
}

// docker save before 25: <v1 id>/layer.tar, <image id>.json, manifest.json, repositories.
function legacyMembers(f: Fixture, repoTags: string[] | null): Member[] {
  const members: Member[] = [{ name: `${hex(f.id)}.json`, body: f.config }];
  const paths = f.layers.map((layer, i) => {
    const dir = `${String(i).repeat(64)}`;
    members.push({ name: `${dir}/`, type: 'directory', mode: 0o755 }, { name: `${dir}/VERSION`, body: '1.0' }, { name: `${dir}/layer.tar`, body: layer });
    return `${dir}/layer.tar`;
  });
  members.push({ name: 'manifest.json', body: JSON.stringify([{ Config: `${hex(f.id)}.json`, RepoTags: repoTags, Layers: paths }]) });
  return members;
}

// docker save since 25: an OCI layout with index.json plus manifest.json.
function ociMembers(f: Fixture, name: string): Member[] {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: f.id, size: f.config.length },
      layers: f.layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(l), size: l.length })),
    }),
  );
  return [
    ...f.layers.map((l) => ({ name: `blobs/sha256/${hex(sha(l))}`, body: l })),
    { name: `blobs/sha256/${hex(f.id)}`, body: f.config },
    { name: `blobs/sha256/${hex(sha(manifest))}`, body: manifest },
    {
      name: 'index.json',
      body: JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': name } }],
      }),
    },
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
  ];
}

describe('ImageStore.load', () => {
  let dir: string;
  let store: ImageStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-load-'));
    store = new ImageStore(dir);
    await store.open();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = async (members: Member[], compression: 'none' | 'gzip' | 'xz' | 'bzip2' = 'none') => {
    const tar = await tarOf(members);
    const compressed = compression === 'none' ? tar : compression === 'gzip' ? gzipSync(tar) : execFileSync(compression, ['-c'], { input: tar });
    return store.load(Readable.from([compressed]));
  };
  const storedFiles = (): string[] =>
    ['blobs/sha256', 'layers', 'ingest', 'load'].flatMap((sub) => {
      try {
        return readdirSync(join(dir, sub)).map((n) => `${sub}/${n}`);
      } catch {
        return [];
      }
    });

  it('loads a legacy docker save archive, tags it and keeps the config as the image ID', async () => {
    const f = await fixture('legacy');
    // tar -C DIR . starts with the archive's root, "./".
    const loaded = await load([{ name: './', type: 'directory', mode: 0o755 }, ...legacyMembers(f, ['busybox:peer'])]);
    expect(loaded).toEqual([{ id: f.id, repoTags: ['busybox:peer'], replaced: {} }]);
    const image = await store.get('busybox:peer');
    expect(image.id).toBe(f.id);
    expect(image.diffIds).toEqual(f.layers.map(sha));
    expect(storedFiles().filter((n) => n.startsWith('load/'))).toEqual([]);
  });

  it('loads a gzip OCI-layout archive named by its index annotations', async () => {
    const f = await fixture('oci');
    expect(await load(ociMembers(f, 'docker.io/library/oci:1'), 'gzip')).toEqual([{ id: f.id, repoTags: ['oci:1'], replaced: {} }]);
  });

  it('loads archives compressed with xz and bzip2, as docker load does', async () => {
    const f = await fixture('legacy');
    expect(await load(legacyMembers(f, ['xz:1']), 'xz')).toEqual([{ id: f.id, repoTags: ['xz:1'], replaced: {} }]);
    expect(await load(legacyMembers(f, ['bz:1']), 'bzip2')).toEqual([{ id: f.id, repoTags: ['bz:1'], replaced: {} }]);
    expect(storedFiles().filter((n) => n.startsWith('load/') || n.startsWith('ingest/'))).toEqual([]);
  });

  it('loads an untagged image by ID and several images from one archive, sharing layers', async () => {
    const a = await fixture('a');
    const b = await fixture('b');
    const manifest = [
      { Config: `blobs/sha256/${hex(a.id)}`, RepoTags: null, Layers: a.layers.map((l) => `blobs/sha256/${hex(sha(l))}`) },
      { Config: `blobs/sha256/${hex(b.id)}`, RepoTags: ['b:1', 'b:2'], Layers: b.layers.map((l) => `blobs/sha256/${hex(sha(l))}`) },
    ];
    const blobs = [...a.layers, b.layers[1] as Buffer, a.config, b.config].map((body) => ({ name: `blobs/sha256/${hex(sha(body))}`, body }));
    const loaded = await load([...blobs, { name: 'manifest.json', body: JSON.stringify(manifest) }]);
    expect(loaded).toEqual([
      { id: a.id, repoTags: [], replaced: {} },
      { id: b.id, repoTags: ['b:1', 'b:2'], replaced: {} },
    ]);
    expect(storedFiles().filter((n) => n.startsWith('layers/'))).toHaveLength(3);
  });

  it('moves a tag from the image that had it, and says which', async () => {
    const first = await fixture('first');
    const second = await fixture('second');
    await load(legacyMembers(first, ['moved:1']));
    expect(await load(legacyMembers(second, ['moved:1']))).toEqual([{ id: second.id, repoTags: ['moved:1'], replaced: { 'moved:1': first.id } }]);
    expect((await store.get('moved:1')).id).toBe(second.id);
    // Loading the same image again changes nothing.
    expect(await load(legacyMembers(second, ['moved:1']))).toEqual([{ id: second.id, repoTags: ['moved:1'], replaced: {} }]);
  });

  it('follows links between members (docker links a layer.tar that two images share)', async () => {
    const f = await fixture('linked');
    const members = legacyMembers(f, ['linked:1']).map((m) =>
      m.name === `${'1'.repeat(64)}/layer.tar` ? { name: m.name, type: 'symlink' as const, linkname: '../extra/layer.tar' } : m,
    );
    members.unshift({ name: 'extra/layer.tar', body: f.layers[1] as Buffer });
    expect(await load(members)).toEqual([{ id: f.id, repoTags: ['linked:1'], replaced: {} }]);
  });

  const hostile: Array<[string, (f: Fixture) => Member[], string]> = [
    ['a member name climbing out of the archive', (f) => [{ name: '../evil', body: 'x' }, ...legacyMembers(f, ['x:1'])], 'points outside the archive'],
    ['a directory climbing out of the archive', (f) => [{ name: '../', type: 'directory' }, ...legacyMembers(f, ['x:1'])], 'points outside the archive'],
    ['an absolute member name', (f) => [{ name: '/tmp/evil', body: 'x' }, ...legacyMembers(f, ['x:1'])], 'absolute path'],
    ['a symlink to an absolute path', (f) => [{ name: 'evil', type: 'symlink', linkname: '/etc/passwd' }, ...legacyMembers(f, ['x:1'])], 'points outside'],
    ['a symlink climbing out', (f) => [{ name: 'a/evil', type: 'symlink', linkname: '../../etc/passwd' }, ...legacyMembers(f, ['x:1'])], 'points outside'],
    ['a hard link climbing out', (f) => [{ name: 'evil', type: 'link', linkname: '../etc/passwd' }, ...legacyMembers(f, ['x:1'])], 'points outside'],
    ['a device node', (f) => [{ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }, ...legacyMembers(f, ['x:1'])], 'character-device'],
    [
      'a manifest naming a layer outside the archive',
      (f) => legacyMembers(f, ['x:1']).map((m) => (m.name === 'manifest.json' ? { ...m, body: JSON.stringify([{ Config: `${hex(f.id)}.json`, RepoTags: ['x:1'], Layers: ['../../etc/passwd', 'x'] }]) } : m)),
      'points outside the archive',
    ],
    ['a missing layer', (f) => legacyMembers(f, ['x:1']).filter((m) => !m.name.endsWith('1/layer.tar')), 'is missing'],
    ['a missing config', (f) => legacyMembers(f, ['x:1']).filter((m) => !m.name.endsWith('.json') || m.name === 'manifest.json'), 'is missing'],
    ['no manifest at all', (f) => legacyMembers(f, ['x:1']).filter((m) => m.name !== 'manifest.json'), 'neither manifest.json nor index.json'],
    ['a manifest that is not JSON', (f) => legacyMembers(f, ['x:1']).map((m) => (m.name === 'manifest.json' ? { ...m, body: '[{' } : m)), 'not valid JSON'],
    [
      'a layer that does not match its diff_id',
      (f) => legacyMembers(f, ['x:1']).map((m) => (m.name.endsWith('1/layer.tar') ? { ...m, body: f.layers[0] } : m)),
      'layer digest mismatch',
    ],
    [
      'a config that does not match its name',
      (f) => legacyMembers(f, ['x:1']).map((m) => (m.name === `${hex(f.id)}.json` ? { ...m, body: Buffer.concat([f.config, Buffer.from(' ')]) } : m)),
      'digest mismatch',
    ],
    [
      'an OCI blob that does not match its name',
      (f) => ociMembers(f, 'docker.io/library/x:1').map((m) => (m.name === `blobs/sha256/${hex(sha(f.layers[0] as Buffer))}` ? { ...m, body: f.layers[1] } : m)),
      'digest mismatch',
    ],
    [
      'more layers in the manifest than in the config',
      (f) => legacyMembers(f, ['x:1']).map((m) => (m.name === 'manifest.json' ? { ...m, body: JSON.stringify([{ Config: `${hex(f.id)}.json`, RepoTags: [], Layers: ['0'.repeat(64) + '/layer.tar', '0'.repeat(64) + '/layer.tar', '1'.repeat(64) + '/layer.tar'] }]) } : m)),
      'lists 2 layers, the manifest 3',
    ],
    ['a bad tag', (f) => legacyMembers(f, ['UPPER:case']), 'invalid reference format'],
    ['a manifest over 4 MiB', (f) => [...legacyMembers(f, ['x:1']).filter((m) => m.name !== 'manifest.json'), { name: 'manifest.json', body: Buffer.alloc(5 << 20, 0x20) }], 'is over'],
  ];

  it.each(hostile)('refuses %s and leaves nothing stored', async (_what, build, message) => {
    const f = await fixture('hostile');
    await expect(load(build(f))).rejects.toThrow(message);
    expect(await store.list()).toEqual([]);
    expect(storedFiles()).toEqual([]);
  });

  it('refuses a member larger than the size limit before reading it', async () => {
    const small = new ImageStore(dir, { maxLayerSize: 1024 });
    await small.open();
    const f = await fixture('big');
    const members = [...legacyMembers(f, ['x:1']), { name: 'big', body: Buffer.alloc(4096) }];
    await expect(small.load(Readable.from([await tarOf(members)]))).rejects.toThrow('over the limit of 1024');
    expect(storedFiles()).toEqual([]);
  });

  it('refuses a truncated archive and bytes that are not a tar', async () => {
    const f = await fixture('cut');
    const tar = await tarOf(legacyMembers(f, ['x:1']));
    await expect(store.load(Readable.from([tar.subarray(0, 1500)]))).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(store.load(Readable.from([Buffer.from('not a tar at all')]))).rejects.toThrow('invalid archive');
    expect(storedFiles()).toEqual([]);
  });
});
