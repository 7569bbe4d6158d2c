import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@berth/errors';
import { FileContentStore, writeBlob } from './content-store';

const sha = (data: string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('FileContentStore', () => {
  let dir: string;
  let store: FileContentStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-content-'));
    store = new FileContentStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores, reads, walks and deletes a blob', async () => {
    const info = await writeBlob(store, Buffer.from('hello'), sha('hello'));
    expect(info).toEqual({ digest: sha('hello'), size: 5 });
    const chunks: Buffer[] = [];
    for await (const chunk of await store.reader(info.digest)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    const all = [];
    for await (const blob of store.walk()) all.push(blob);
    expect(all).toEqual([info]);
    await store.delete(info.digest);
    expect(await store.info(info.digest)).toBeUndefined();
  });

  it('refuses content that does not match its digest and stores nothing', async () => {
    await expect(writeBlob(store, Buffer.from('evil'), sha('good'))).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    expect(await store.info(sha('evil'))).toBeUndefined();
    expect(readdirSync(join(dir, 'ingest'))).toEqual([]);
  });

  it('refuses a wrong size and malformed digests', async () => {
    const writer = await store.writer();
    await writer.write(Buffer.from('abc'));
    await expect(writer.commit(undefined, 4)).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    await expect(store.info('sha256:XYZ')).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(store.reader(sha('missing'))).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('takes the expected digest for bytes its source verified, and still checks the size', async () => {
    const writer = await store.writer({ sourceVerified: true });
    await writer.write(Buffer.from('checked upstream'));
    expect(await writer.commit(sha('checked upstream'), 16)).toEqual({ digest: sha('checked upstream'), size: 16 });
    expect(await store.info(sha('checked upstream'))).toEqual({ digest: sha('checked upstream'), size: 16 });
    const noDigest = await store.writer({ sourceVerified: true });
    await noDigest.write(Buffer.from('x'));
    await expect(noDigest.commit()).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    const short = await store.writer({ sourceVerified: true });
    await short.write(Buffer.from('abc'));
    await expect(short.commit(sha('abcd'), 4)).rejects.toMatchObject({ code: ErrorCode.DigestMismatch });
    expect(readdirSync(join(dir, 'ingest'))).toEqual([]);
  });

  it('leaves nothing visible when aborted', async () => {
    const writer = await store.writer();
    await writer.write(Buffer.from('partial'));
    await writer.abort();
    expect(await store.info(sha('partial'))).toBeUndefined();
    expect(readdirSync(join(dir, 'ingest'))).toEqual([]);
  });

  it('syncs ahead of commit, again when more was written, and aborts cleanly while syncing', async () => {
    const writer = await store.writer();
    await writer.write(Buffer.from('ab'));
    const first = writer.sync();
    expect(writer.sync()).toBe(first);
    await first;
    await writer.write(Buffer.from('cd'));
    expect(writer.sync()).not.toBe(first);
    expect(await writer.commit(sha('abcd'), 4)).toEqual({ digest: sha('abcd'), size: 4 });
    const dropped = await store.writer();
    await dropped.write(Buffer.from('gone'));
    void dropped.sync();
    await dropped.abort();
    expect(await store.info(sha('gone'))).toBeUndefined();
    expect(readdirSync(join(dir, 'ingest'))).toEqual([]);
  });
});
