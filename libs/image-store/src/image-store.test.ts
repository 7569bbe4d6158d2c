import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCode } from '@berth/errors';
import { applyChanges } from './changes';
import { ImageStore } from './image-store';
import { rootfsTar } from './rootfs-tar.test-support';

describe('ImageStore', () => {
  let dir: string;
  let store: ImageStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-images-'));
    store = new ImageStore(dir);
    await store.open();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const importTar = async (reference: string, files: Record<string, string> = { 'bin/sh': '#!' }) =>
    store.import({ reference, message: 'hi', changes: ['CMD ["/bin/sh"]', 'ENV A=1'] }, Readable.from([await rootfsTar(files)]));

  it('imports a tarball as a one-layer OCI image and finds it by name, ID and prefix', async () => {
    const image = await importTar('busybox');
    expect(image.repoTags).toEqual(['busybox:latest']);
    expect(image.config?.cmd).toEqual(['/bin/sh']);
    expect(image.config?.env).toEqual(['A=1']);
    expect(image.diffIds).toHaveLength(1);
    expect(image.comment).toBe('hi');
    expect((await store.get('busybox:latest')).id).toBe(image.id);
    expect((await store.get('docker.io/library/busybox')).id).toBe(image.id);
    expect((await store.get(image.id)).id).toBe(image.id);
    expect((await store.get(image.id.slice(7, 19))).id).toBe(image.id);
    await expect(store.get('nope')).rejects.toThrow('No such image: nope:latest');
  });

  it('prepares overlay snapshots over the unpacked layer', async () => {
    const image = await importTar('a/b:1');
    const snap = await store.prepareSnapshot('c1', image.id);
    const options = snap.mounts[0]?.options ?? [];
    const lower = options.find((o) => o.startsWith('lowerdir='))?.slice('lowerdir='.length) ?? '';
    expect(existsSync(join(lower, 'bin/sh'))).toBe(true);
    const upper = options.find((o) => o.startsWith('upperdir='))?.slice('upperdir='.length) ?? '';
    expect(existsSync(upper)).toBe(true);
    // Host users get no way in to what the container writes (docker's CVE-2021-41091).
    expect(statSync(dirname(dirname(upper))).mode & 0o777).toBe(0o700);
    expect(statSync(dirname(upper)).mode & 0o777).toBe(0o700);
    await expect(store.prepareSnapshot('c1', image.id)).rejects.toMatchObject({ code: ErrorCode.AlreadyExists });
    await expect(store.remove({ reference: 'a/b:1', force: false, inUse: [] })).rejects.toThrow(/must force/);
    await store.removeSnapshot('c1');
    expect(await store.listSnapshots()).toEqual([]);
  });

  it('takes a snapshot whose record a crash tore for one never made', async () => {
    const image = await importTar('a/b:1');
    const snap = await store.prepareSnapshot('c1', image.id);
    const upper = (snap.mounts[0]?.options ?? []).find((o) => o.startsWith('upperdir='))?.slice('upperdir='.length) ?? '';
    const snapshotDir = dirname(upper);
    expect(readdirSync(snapshotDir).sort()).toEqual(['snapshot.json', 'upper', 'work']);
    // What a crash can leave of a record that was never fsynced: an empty file.
    writeFileSync(join(snapshotDir, 'snapshot.json'), '');
    await expect(store.getSnapshot('c1')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(await store.listSnapshots()).toEqual([]);
    expect(existsSync(snapshotDir)).toBe(false);
  });

  it('untags, then deletes with every blob and layer when the last tag goes', async () => {
    const image = await importTar('x:1');
    await store.tag('x:1', 'x:2');
    await expect(store.tag('x:1', `x@sha256:${'0'.repeat(64)}`)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    expect((await store.remove({ reference: 'x:1', force: false, inUse: [] })).deleted).toEqual([]);
    const removed = await store.remove({ reference: 'x:2', force: false, inUse: [] });
    expect(removed.untagged).toEqual(['x:2']);
    expect(removed.deleted[0]).toBe(image.id);
    expect(await store.list()).toEqual([]);
    expect(readdirSync(join(dir, 'blobs/sha256'))).toEqual([]);
    expect(readdirSync(join(dir, 'layers'))).toEqual([]);
  });

  it('shares a layer between images and keeps it until the last one goes', async () => {
    await importTar('one');
    await importTar('two');
    await store.remove({ reference: 'one', force: false, inUse: [] });
    expect(readdirSync(join(dir, 'layers'))).toHaveLength(1);
  });

  it('refuses an image a container uses unless forced, then only untags', async () => {
    const image = await importTar('used');
    await expect(store.remove({ reference: 'used', force: false, inUse: [image.id] })).rejects.toMatchObject({ code: ErrorCode.Conflict });
    const forced = await store.remove({ reference: 'used', force: true, inUse: [image.id] });
    expect(forced).toEqual({ untagged: ['used:latest'], deleted: [] });
    expect((await store.get(image.id)).repoTags).toEqual([]);
  });

  it('deletes a forced image a stopped container uses, keeping its layers until the container goes', async () => {
    const image = await importTar('kept');
    await store.prepareSnapshot('c1', image.id);
    await expect(store.remove({ reference: 'kept', force: false, inUse: [] })).rejects.toThrow(/container c1 is using its referenced image/);
    expect(await store.remove({ reference: 'kept', force: true, inUse: [image.id] })).toEqual({ untagged: ['kept:latest'], deleted: [image.id] });
    expect(await store.list()).toEqual([]);
    expect(readdirSync(join(dir, 'layers'))).toHaveLength(1);
    expect(readdirSync(join(dir, 'blobs/sha256'))).toEqual([]);
    await store.removeSnapshot('c1');
    expect(readdirSync(join(dir, 'layers'))).toEqual([]);
  });

  it('leaves nothing behind for a bad tarball or a bad reference', async () => {
    await expect(store.import({ reference: 'ok', message: '', changes: [] }, Readable.from([Buffer.from('garbage'.repeat(100))]))).rejects.toThrow(/invalid tar archive/);
    await expect(importTar('Bad/Name')).rejects.toThrow(/must be lowercase/);
    await expect(store.import({ reference: '', message: '', changes: ['BOGUS x'] }, Readable.from([]))).rejects.toThrow(/not a valid change/);
    expect(await store.list()).toEqual([]);
    expect(existsSync(join(dir, 'blobs/sha256')) ? readdirSync(join(dir, 'blobs/sha256')) : []).toEqual([]);
    expect(readdirSync(join(dir, 'layers'))).toEqual([]);
    expect(readdirSync(join(dir, 'ingest'))).toEqual([]);
  });
});

describe('applyChanges', () => {
  it('reads docker import --change instructions', () => {
    expect(applyChanges(['CMD echo hi', 'ENTRYPOINT ["/init"]', 'ENV A=1 B=2', 'WORKDIR /srv', 'USER 1000', 'LABEL k=v', 'EXPOSE 80'])).toEqual({
      Cmd: ['/bin/sh', '-c', 'echo hi'],
      Entrypoint: ['/init'],
      Env: ['A=1', 'B=2'],
      WorkingDir: '/srv',
      User: '1000',
      Labels: { k: 'v' },
      ExposedPorts: { '80/tcp': {} },
    });
  });
});
