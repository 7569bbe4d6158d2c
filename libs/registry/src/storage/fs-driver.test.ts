import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

  it('purges temp files a killed write left behind once older than the grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-registry-fs-'));
    try {
      const driver = new FsDriver(dir);
      await driver.putContent('repositories/a/_manifests/tags/v1/current/link', Buffer.from('x'));
      const tagDir = join(dir, 'repositories/a/_manifests/tags/v1/current');
      const blobDir = join(dir, 'blobs/sha256/ab');
      mkdirSync(blobDir, { recursive: true });
      writeFileSync(join(tagDir, '.tmp-old'), 'partial');
      writeFileSync(join(blobDir, '.tmp-old2'), 'partial');
      writeFileSync(join(blobDir, '.tmp-young'), 'in flight');
      const dayAgo = new Date(Date.now() - 24 * 3600_000);
      utimesSync(join(tagDir, '.tmp-old'), dayAgo, dayAgo);
      utimesSync(join(blobDir, '.tmp-old2'), dayAgo, dayAgo);
      expect(await driver.purgeTempFiles(new Date(Date.now() - 3600_000))).toBe(2);
      expect(readdirSync(tagDir)).toEqual(['link']);
      expect(readdirSync(blobDir)).toEqual(['.tmp-young']);
      expect((await driver.getContent('repositories/a/_manifests/tags/v1/current/link'))?.toString()).toBe('x');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
