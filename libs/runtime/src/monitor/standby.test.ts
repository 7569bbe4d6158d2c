import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MonitorStandbys, standbyCommandLine } from './standby';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await delay(10);
  expect(check()).toBe(true);
}

describe('standbyCommandLine', () => {
  it('frames the arguments: their byte count, then each NUL-terminated', () => {
    const frame = standbyCommandLine(['--id', 'é1']);
    expect(frame.readUInt32LE(0)).toBe(frame.length - 4);
    expect(frame.subarray(4).toString('utf8')).toBe('--id\0é1\0');
  });

  it('refuses an argument with a NUL in it', () => {
    expect(() => standbyCommandLine(['--id', 'a\0--tty'])).toThrow(/NUL/);
  });
});

// A stand-in for berth-monitor: started with --standby it notes its start, then keeps what its
// sync fd brings until the fd ends.
describe('MonitorStandbys', () => {
  let dir: string;
  let binary: string;
  let standbys: MonitorStandbys;
  const starts = (): number => (existsSync(`${binary}.starts`) ? readFileSync(`${binary}.starts`, 'utf8').length : 0);
  const write = (body: string): void => {
    writeFileSync(binary, `#!/bin/sh\nprintf x >> "$0.starts"\n${body}\n`);
    chmodSync(binary, 0o755);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-standby-'));
    binary = join(dir, 'monitor');
    write('cat <&3 > "$0.got"');
    standbys = new MonitorStandbys();
  });
  afterEach(() => {
    standbys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has none until a launch asks for the next, then hands that one its command line', async () => {
    expect(standbys.take(binary, ['--id', 'a'])).toBeUndefined();
    standbys.refill(binary);
    await until(() => starts() === 1);
    const started = standbys.take(binary, ['--id', 'b']);
    expect(started).toBeDefined();
    started?.sync.end();
    await new Promise((r) => started?.child.once('close', r));
    expect(readFileSync(`${binary}.got`)).toEqual(standbyCommandLine(['--id', 'b']));
    // Taken: the next launch starts its own until the next refill.
    expect(standbys.take(binary, ['--id', 'c'])).toBeUndefined();
  });

  it('gives a rebuilt binary no standby of the old build', async () => {
    standbys.refill(binary);
    await until(() => starts() === 1);
    utimesSync(binary, new Date(), new Date(Date.now() + 10_000));
    expect(standbys.take(binary, ['--id', 'a'])).toBeUndefined();
  });

  it('starts no more standbys of a build that refused --standby', async () => {
    write('exit 2');
    standbys.refill(binary);
    await until(() => starts() === 1);
    await delay(50);
    standbys.refill(binary);
    await delay(100);
    expect(starts()).toBe(1);
    expect(standbys.take(binary, ['--id', 'a'])).toBeUndefined();
  });

  it('ends the waiting standby when closed', async () => {
    write('cat <&3 > /dev/null; printf done > "$0.ended"');
    standbys.refill(binary);
    await until(() => starts() === 1);
    standbys.close();
    await until(() => existsSync(`${binary}.ended`));
    standbys.refill(binary);
    await delay(100);
    expect(starts()).toBe(1);
  });
});
