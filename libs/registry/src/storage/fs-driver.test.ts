import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageConformance } from './conformance.testkit';
import { FsDriver } from './fs-driver';

describeStorageConformance('filesystem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-fs-'));
  return { driver: new FsDriver(dir), close: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe('FsDriver', () => {
  it('leaves no temporary file behind after writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-registry-fs-'));
    try {
      const driver = new FsDriver(dir);
      await Promise.all([1, 2, 3].map((i) => driver.putContent('t/link', Buffer.from(String(i)))));
      expect(readdirSync(join(dir, 't'))).toEqual(['link']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
