import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@berth/errors';
import type { LogRecord } from './cri-log';
import { readLog, type ReadLogOptions } from './read-log';

const at = (s: number) => `2026-01-02T03:04:${String(s).padStart(2, '0')}.000000001Z`;

describe('readLog', () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-readlog-'));
    log = join(dir, 'c.log');
    writeFileSync(
      log,
      [
        `${at(1)} stdout F one`,
        `${at(2)} stderr P tw`,
        `${at(3)} stdout P th`,
        `${at(3)} stderr F o`,
        `${at(4)} stdout F ree`,
        `not a record`,
        `${at(5)} stdout F four`,
        `${at(6)} stdout P five-unterminated`,
        '',
      ].join('\n'),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = async (opts: Partial<ReadLogOptions>): Promise<string[]> => {
    const out: string[] = [];
    for await (const r of readLog(log, { follow: false, tail: -1, ...opts })) out.push(`${r.stream}:${r.data.toString()}`);
    return out;
  };

  it('reads every record with partial lines reassembled', async () => {
    expect(await read({})).toEqual(['stdout:one\n', 'stderr:two\n', 'stdout:three\n', 'stdout:four\n', 'stdout:five-unterminated']);
  });

  it('keeps only the last n records with tail', async () => {
    expect(await read({ tail: 2 })).toEqual(['stdout:four\n', 'stdout:five-unterminated']);
    expect(await read({ tail: 0 })).toEqual([]);
    expect(await read({ tail: 100 })).toHaveLength(5);
  });

  it('filters by since and until (inclusive, by the time of the line end), then tails', async () => {
    expect(await read({ since: at(3) })).toEqual(['stderr:two\n', 'stdout:three\n', 'stdout:four\n', 'stdout:five-unterminated']);
    expect(await read({ since: '2026-01-02T03:04:03.5Z', until: at(5) })).toEqual(['stdout:three\n', 'stdout:four\n']);
    expect(await read({ since: at(2), tail: 1 })).toEqual(['stdout:five-unterminated']);
  });

  it('rejects a bad time with INVALID_ARGUMENT', async () => {
    await expect(read({ since: 'last tuesday' })).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
  });

  it('reads nothing from a log that does not exist yet', async () => {
    log = join(dir, 'missing.log');
    expect(await read({})).toEqual([]);
  });

  it('follows new records until stopWhen says the container exited', async () => {
    let exited = false;
    const seen: LogRecord[] = [];
    const done = (async () => {
      for await (const r of readLog(log, { follow: true, tail: 1, stopWhen: () => Promise.resolve(exited) })) seen.push(r);
    })();
    await new Promise((r) => setTimeout(r, 100));
    // The pending partial is completed by a later record.
    appendFileSync(log, `${at(7)} stdout F !\n${at(8)} stderr F late\n`);
    await new Promise((r) => setTimeout(r, 400));
    appendFileSync(log, `${at(9)} stdout F last\n`);
    exited = true;
    await done;
    expect(seen.map((r) => r.data.toString())).toEqual(['four\n', 'five-unterminated!\n', 'late\n', 'last\n']);
  });

  it('stops following when aborted', async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const r of readLog(log, { follow: true, tail: 0, signal: abort.signal })) seen.push(r.data.toString());
    })();
    setTimeout(() => abort.abort(), 100);
    await done;
    expect(seen).toEqual([]);
  });
});
