// The one conformance suite every StorageDriver must pass; each backend's test file runs it.
import { type Readable } from 'node:stream';
import { ErrorCode } from '@berth/errors';
import { type StorageDriver } from './driver';

async function readAll(stream: Readable | undefined): Promise<string | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function* pieces(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function* failingAfter(part: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(part);
  throw new Error('client went away');
}

export function describeStorageConformance(backend: string, open: () => Promise<{ driver: StorageDriver; close: () => Promise<void> }>): void {
  describe(`StorageDriver conformance: ${backend}`, () => {
    let driver: StorageDriver;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ driver, close } = await open());
    });
    afterEach(async () => close());

    it('reads back what putContent wrote, and replaces it whole', async () => {
      expect(await driver.getContent('a/b/c')).toBeUndefined();
      await driver.putContent('a/b/c', Buffer.from('one'));
      expect((await driver.getContent('a/b/c'))?.toString()).toBe('one');
      await driver.putContent('a/b/c', Buffer.from('two!'));
      expect((await driver.getContent('a/b/c'))?.toString()).toBe('two!');
      expect(await driver.stat('a/b/c')).toMatchObject({ size: 4 });
      expect(await driver.stat('a/b')).toBeUndefined();
    });

    it('reads byte ranges, inclusive of their end', async () => {
      await driver.putContent('blob', Buffer.from('0123456789'));
      expect(await readAll(await driver.reader('blob'))).toBe('0123456789');
      expect(await readAll(await driver.reader('blob', 2, 4))).toBe('234');
      expect(await readAll(await driver.reader('blob', 7))).toBe('789');
      expect(await driver.reader('missing')).toBeUndefined();
    });

    it('opens an object for positional reads into the caller\'s buffer', async () => {
      await driver.putContent('blob', Buffer.from('0123456789'));
      const handle = await driver.open('blob');
      expect(handle?.size).toBe(10);
      const into = Buffer.alloc(4);
      expect(await handle?.read(into, 3)).toBe(4);
      expect(into.toString()).toBe('3456');
      expect(await handle?.read(into, 8)).toBe(2);
      expect(into.subarray(0, 2).toString()).toBe('89');
      expect(await handle?.read(into, 10)).toBe(0);
      await handle?.close();
      expect(await driver.open('missing')).toBeUndefined();
    });

    it('appends at the expected offset only', async () => {
      expect(await driver.append('up/data', 0, pieces('ab', 'cd'))).toBe(4);
      expect(await driver.append('up/data', 4, pieces('ef'))).toBe(6);
      await expect(driver.append('up/data', 3, pieces('x'))).rejects.toMatchObject({ code: ErrorCode.RangeNotSatisfiable });
      expect(await readAll(await driver.reader('up/data'))).toBe('abcdef');
    });

    it('keeps the bytes an interrupted append wrote, so an upload can resume', async () => {
      await expect(driver.append('up/data', 0, failingAfter('abc'))).rejects.toThrow('client went away');
      expect(await driver.stat('up/data')).toMatchObject({ size: 3 });
      expect(await driver.append('up/data', 3, pieces('def'))).toBe(6);
      expect(await readAll(await driver.reader('up/data'))).toBe('abcdef');
    });

    it('moves an object into place, replacing the destination', async () => {
      await driver.append('up/1/data', 0, pieces('content'));
      await driver.putContent('blobs/x/data', Buffer.from('old'));
      await driver.move('up/1/data', 'blobs/x/data');
      expect((await driver.getContent('blobs/x/data'))?.toString()).toBe('content');
      expect(await driver.stat('up/1/data')).toBeUndefined();
      await expect(driver.move('up/none', 'blobs/y')).rejects.toBeDefined();
    });

    it('lists direct children sorted, and deletes objects and prefixes', async () => {
      await driver.putContent('r/b/link', Buffer.from('1'));
      await driver.putContent('r/a/x/link', Buffer.from('2'));
      await driver.putContent('r/c', Buffer.from('3'));
      expect(await driver.list('r')).toEqual(['a', 'b', 'c']);
      expect(await driver.list('nothing/here')).toEqual([]);
      await driver.delete('r/a');
      expect(await driver.list('r')).toEqual(['b', 'c']);
      await driver.delete('r/c');
      await driver.delete('r/never');
      expect(await driver.list('r')).toEqual(['b']);
    });

    it('refuses keys that could escape the store', async () => {
      for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/./b']) {
        await expect(driver.getContent(key)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
        await expect(driver.putContent(key, Buffer.from('x'))).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
      }
    });

    it('serves concurrent small writes to one key atomically', async () => {
      const values = Array.from({ length: 20 }, (_, i) => `value-${i}-${'x'.repeat(i * 100)}`);
      await Promise.all(values.map((v) => driver.putContent('tag/link', Buffer.from(v))));
      expect(values).toContain((await driver.getContent('tag/link'))?.toString());
      expect(await driver.list('tag')).toEqual(['link']);
    });
  });
}
