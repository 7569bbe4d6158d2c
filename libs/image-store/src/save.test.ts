import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { ImageStore } from './image-store';
import { readAll } from './save';

async function rootfsTar(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const done = readAll(p as unknown as Readable);
  for (const [name, body] of Object.entries(files)) p.entry({ name, mode: 0o755 }, body);
  p.finalize();
  return done;
}

async function members(archive: Buffer): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const x = extract();
  const done = (async () => {
    for await (const entry of x) {
      if (found.has(entry.header.name)) throw new Error(`${entry.header.name} written twice`);
      found.set(entry.header.name, await readAll(entry as unknown as Readable));
    }
  })();
  x.end(archive);
  await done;
  return found;
}

describe('ImageStore.save', () => {
  let dirs: string[] = [];
  const newStore = async (): Promise<ImageStore> => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-save-'));
    dirs.push(dir);
    const store = new ImageStore(dir);
    await store.open();
    return store;
  };
  afterEach(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });

  it('writes an OCI layout with manifest.json and repositories, shared layers once, and loads back', async () => {
    const store = await newStore();
    const tar = await rootfsTar({ 'bin/sh': '#!' });
    const a = await store.import({ reference: 'a:1', message: '', changes: [] }, Readable.from([tar]));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = await store.import({ reference: 'b', message: '', changes: ['CMD ["sh"]'] }, Readable.from([tar]));
    expect(a.id).not.toBe(b.id);
    const archive = await readAll(store.save(['a:1', 'b', b.id.slice(7, 19)]));
    const files = await members(archive);
    const blobs = [...files.keys()].filter((n) => n.startsWith('blobs/sha256/') && n !== 'blobs/sha256/');
    // One shared layer, two configs, two manifests.
    expect(blobs).toHaveLength(5);
    expect(JSON.parse(files.get('oci-layout')!.toString())).toEqual({ imageLayoutVersion: '1.0.0' });
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }>;
    expect(manifest.map((m) => m.RepoTags)).toEqual([['a:1'], ['b:latest']]);
    expect(manifest[0]!.Config).toBe(`blobs/sha256/${a.id.slice(7)}`);
    const index = JSON.parse(files.get('index.json')!.toString()) as { manifests: Array<{ annotations: Record<string, string> }> };
    expect(index.manifests.map((m) => m.annotations['io.containerd.image.name'])).toEqual(['docker.io/library/a:1', 'docker.io/library/b:latest']);
    expect(Object.keys(JSON.parse(files.get('repositories')!.toString()) as object)).toEqual(['a', 'b']);

    const other = await newStore();
    expect(await other.load(Readable.from([archive]))).toEqual([
      { id: a.id, repoTags: ['a:1'], replaced: {} },
      { id: b.id, repoTags: ['b:latest'], replaced: {} },
    ]);
    expect((await other.get('b')).config?.cmd).toEqual(['sh']);
  });

  it('saves every tag of a repository named without a tag, as docker does', async () => {
    const store = await newStore();
    const one = await store.import({ reference: 'repo:1', message: '', changes: [] }, Readable.from([await rootfsTar({ f: '1' })]));
    const two = await store.import({ reference: 'repo:2', message: '', changes: [] }, Readable.from([await rootfsTar({ f: '2' })]));
    await store.tag('repo:2', 'repo:two');
    await store.import({ reference: 'other:1', message: '', changes: [] }, Readable.from([await rootfsTar({ f: '3' })]));
    const files = await members(await readAll(store.save(['repo'])));
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; RepoTags: string[] }>;
    expect(manifest.map((m) => [m.Config, m.RepoTags])).toEqual([
      [`blobs/sha256/${one.id.slice(7)}`, ['repo:1']],
      [`blobs/sha256/${two.id.slice(7)}`, ['repo:2', 'repo:two']],
    ]);
    expect(() => store.save(['nothing-here'])).toThrow('No such image: nothing-here:latest');
  });

  it('names an image saved by ID by nothing, and refuses a missing image before writing', async () => {
    const store = await newStore();
    const a = await store.import({ reference: 'a:1', message: '', changes: [] }, Readable.from([await rootfsTar({ f: 'x' })]));
    const files = await members(await readAll(store.save([a.id])));
    expect(JSON.parse(files.get('manifest.json')!.toString())).toEqual([expect.objectContaining({ RepoTags: null })]);
    expect(files.has('repositories')).toBe(false);
    expect(() => store.save(['a:1', 'nope:2'])).toThrow('No such image: nope:2');
  });
});
