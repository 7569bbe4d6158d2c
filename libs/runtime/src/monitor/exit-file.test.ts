import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@berth/errors';
import { parseExitRecord, readExitFile, waitForExitFile } from './exit-file';

const LINE = '{"exit_code":137,"oom_killed":true,"finished_at":"2026-01-02T03:04:05.000000001Z","signal":9}\n';

describe('exit file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-exit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses the monitor record and rejects anything else', () => {
    expect(parseExitRecord(LINE)).toEqual({ exitCode: 137, oomKilled: true, finishedAt: '2026-01-02T03:04:05.000000001Z', signal: 9 });
    expect(() => parseExitRecord('{"exit_code":"1"}')).toThrow();
    expect(() => parseExitRecord('null')).toThrow();
    expect(() => parseExitRecord('')).toThrow();
  });

  it('reads undefined while there is no file', async () => {
    expect(await readExitFile(join(dir, 'exit'))).toBeUndefined();
  });

  it('waits until the file appears (written the monitor way: rename into place)', async () => {
    const path = join(dir, 'exit');
    setTimeout(() => {
      writeFileSync(`${path}.tmp`, LINE);
      renameSync(`${path}.tmp`, path);
    }, 50);
    const started = Date.now();
    expect(await waitForExitFile(path)).toMatchObject({ exitCode: 137 });
    expect(Date.now() - started).toBeLessThan(900); // woken by the watch, not the slow poll
  });

  it('stops waiting with CANCELED when aborted', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 30);
    await expect(waitForExitFile(join(dir, 'exit'), abort.signal)).rejects.toMatchObject({ code: ErrorCode.Canceled });
  });
});
