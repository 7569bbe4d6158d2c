import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BERTH, busyboxTar, describeIntegration, Stack } from '../harness';

const listing = (file: string): string[] => execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');

describeIntegration('export on a real stack', () => {
  const stack = new Stack();
  let dir: string;

  beforeAll(async () => {
    stack.up();
    dir = mkdtempSync('/tmp/berth-it-export-');
    await stack.must(['import', busyboxTar(), 'ex-base:1']);
  }, 120_000);

  afterAll(() => {
    stack.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('exports the merged filesystem without what the container deleted; import of it runs', async () => {
    const script = [
      'rm -rf /etc/passwd /usr',
      'mkdir -p /data/x && echo exported > /data/x/f && ln /data/x/f /data/x/g',
      'rm -rf /etc && mkdir /etc && echo fresh > /etc/only',
    ].join(' && ');
    await stack.must(['run', '--name', 'ex-one', 'ex-base:1', 'sh', '-c', script]);
    const file = join(dir, 'one.tar');
    expect(await stack.must(['export', '-o', file, 'ex-one'])).toBe('');
    const names = listing(file);
    expect(names).toEqual(expect.arrayContaining(['bin/', 'bin/busybox', 'data/x/f', 'data/x/g', 'etc/only']));
    expect(names.filter((n) => n.startsWith('usr') || (n.startsWith('etc/') && n !== 'etc/' && n !== 'etc/only') || n.includes('.wh.'))).toEqual([]);
    // The same bytes on stdout.
    const piped = execFileSync(BERTH, ['export', 'ex-one'], { env: { ...process.env, BERTH_HOST: stack.host }, maxBuffer: 64 << 20 });
    expect(piped.equals(readFileSync(file))).toBe(true);

    await stack.must(['import', file, 'ex-imported:1']);
    const out = await stack.berth(['run', '--rm', 'ex-imported:1', 'sh', '-c', 'cat /data/x/g /etc/only; ls /usr /etc/passwd 2>&1; true']);
    expect(out.stdout).toBe('exported\nfresh\nls: /usr: No such file or directory\nls: /etc/passwd: No such file or directory\n');
  }, 120_000);

  it('exports a running container', async () => {
    await stack.must(['run', '-d', '--name', 'ex-running', 'ex-base:1', 'sh', '-c', 'echo live > /live && sleep 60']);
    let names: string[] = [];
    for (let i = 0; i < 50 && !names.includes('live'); i++) {
      await stack.must(['export', '-o', join(dir, 'running.tar'), 'ex-running']);
      names = listing(join(dir, 'running.tar'));
    }
    expect(names).toContain('live');
    await stack.must(['rm', '-f', 'ex-running']);
  }, 120_000);

  it('fails clearly with docker exit codes', async () => {
    const missing = await stack.berth(['export', '-o', join(dir, 'none.tar'), 'ex-nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such container: ex-nope');
    expect(existsSync(join(dir, 'none.tar'))).toBe(false);
    const args = await stack.berth(['export']);
    expect(args.code).toBe(1);
    expect(args.stderr).toContain("'berth export' requires 1 argument");
    const tty = spawnSync('script', ['-qec', `${BERTH} export ex-one`, '/dev/null'], { env: { ...process.env, BERTH_HOST: stack.host }, encoding: 'utf8', timeout: 30_000 });
    expect(tty.status).toBe(1);
    expect(tty.stdout).toContain('cowardly refusing to save to a terminal');
  }, 60_000);
});
