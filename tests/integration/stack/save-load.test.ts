import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BERTH, busyboxTar, describeIntegration, Stack } from '../harness';
import { dockerSkipReason, peersSkipReason, REGISTRY } from '../peer-registry';

// The archive's member names, as GNU tar lists them.
const members = (file: string): string[] => execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');

describeIntegration('save and load on a real stack', () => {
  const stack = new Stack();
  let dir: string;

  beforeAll(async () => {
    stack.up();
    dir = mkdtempSync('/tmp/berth-it-save-');
    await stack.must(['import', busyboxTar(), 'sl-one:1']);
    // Same rootfs, another config: two images sharing their layer.
    await stack.must(['import', '-c', 'CMD ["echo","two"]', busyboxTar(), 'sl-two:1']);
  }, 120_000);

  afterAll(() => {
    stack.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  // Nothing a load leaves: spools, ingests, temporary layers.
  const storeLeftovers = (): string[] => {
    const images = join(stack.root, 'images');
    return ['load', 'ingest', 'layers']
      .flatMap((sub) => (existsSync(join(images, sub)) ? readdirSync(join(images, sub)).map((n) => `${sub}/${n}`) : []))
      .filter((n) => !/^layers\/[a-f0-9]{64}$/.test(n));
  };

  it('save → rmi → load → run', async () => {
    const file = join(dir, 'one.tar');
    expect(await stack.must(['save', '-o', file, 'sl-one:1'])).toBe('');
    expect(members(file)).toEqual(expect.arrayContaining(['oci-layout', 'index.json', 'manifest.json', 'repositories']));
    const id = (await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'sl-one:1'])).trim();
    await stack.must(['rmi', 'sl-one:1']);
    expect(await stack.must(['load', '-i', file])).toBe('Loaded image: sl-one:1\n');
    expect((await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'sl-one:1'])).trim()).toBe(id);
    expect(await stack.must(['run', '--rm', 'sl-one:1', 'echo', 'loaded'])).toBe('loaded\n');
    expect(storeLeftovers()).toEqual([]);
  }, 120_000);

  it('saves two images sharing a layer in one archive, the layer once, and loads both from gzip on stdin', async () => {
    const file = join(dir, 'two.tar');
    writeFileSync(file, execFileSync(BERTH, ['save', 'sl-one:1', 'sl-two:1'], { env: { ...process.env, BERTH_HOST: stack.host }, maxBuffer: 64 << 20 }));
    const blobs = members(file).filter((n) => /^blobs\/sha256\/[a-f0-9]{64}$/.test(n));
    // One shared layer, two configs, two manifests.
    expect(blobs).toHaveLength(5);
    expect(new Set(blobs).size).toBe(5);
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' })) as Array<{ RepoTags: string[] }>;
    expect(manifest.map((m) => m.RepoTags)).toEqual([['sl-one:1'], ['sl-two:1']]);
    await stack.must(['rmi', 'sl-one:1', 'sl-two:1']);
    const gz = join(dir, 'two.tar.gz');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const loaded = spawnSync('sh', ['-c', `${BERTH} load < ${gz}`], { env: { ...process.env, BERTH_HOST: stack.host }, encoding: 'utf8' });
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout).toBe('Loaded image: sl-one:1\nLoaded image: sl-two:1\n');
    expect(await stack.must(['run', '--rm', 'sl-two:1'])).toBe('two\n');
    expect(await stack.must(['run', '--rm', 'sl-one:1', 'true'])).toBe('');
  }, 120_000);

  it('loads an image saved by ID as untagged and says so as docker does', async () => {
    const id = (await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'sl-two:1'])).trim();
    const file = join(dir, 'by-id.tar');
    await stack.must(['save', '-o', file, id.slice(7, 19)]);
    await stack.must(['rmi', 'sl-two:1']);
    expect(await stack.must(['load', '-q', '-i', file])).toBe(`Loaded image ID: ${id}\n`);
    await stack.must(['tag', id, 'sl-two:1']);
  }, 120_000);

  it('moves a tag the archive names from the image that had it, saying so as docker does', async () => {
    await stack.must(['tag', 'sl-two:1', 'sl-move:1']);
    const file = join(dir, 'move.tar');
    await stack.must(['save', '-o', file, 'sl-move:1']);
    await stack.must(['tag', 'sl-one:1', 'sl-move:1']);
    const oneId = (await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'sl-one:1'])).trim();
    expect(await stack.must(['load', '-i', file])).toBe(`The image sl-move:1 already exists, renaming the old one with ID ${oneId} to empty string\nLoaded image: sl-move:1\n`);
    await stack.must(['rmi', 'sl-move:1']);
  }, 120_000);

  it('fails clearly with docker exit codes and leaves nothing behind', async () => {
    const missing = await stack.berth(['save', '-o', join(dir, 'missing.tar'), 'sl-nope:1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such image: sl-nope:1');
    expect(existsSync(join(dir, 'missing.tar'))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    const noArgs = await stack.berth(['save']);
    expect(noArgs.code).toBe(1);
    expect(noArgs.stderr).toContain("'berth save' requires at least 1 argument");

    const badDir = await stack.berth(['save', '-o', join(dir, 'no/such/dir.tar'), 'sl-one:1']);
    expect(badDir.code).toBe(1);
    expect(badDir.stderr).toContain('invalid output path: directory');

    const garbage = await stack.berth(['load'], { input: 'this is not a tar archive '.repeat(100) });
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toContain('invalid archive');

    const noFile = await stack.berth(['load', '-i', join(dir, 'absent.tar')]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('no such file or directory');

    // A layer that does not match the config's diff_ids: refused, nothing stored.
    const good = join(dir, 'one.tar');
    const work = mkdtempSync(join(dir, 'bad-'));
    execFileSync('tar', ['-xf', good, '-C', work]);
    const manifest = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8')) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    execFileSync('tar', ['-cf', join(work, 'other.tar'), '-C', work, 'oci-layout']);
    manifest[0]!.Layers = ['other.tar'];
    manifest[0]!.RepoTags = ['sl-bad:1'];
    writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest));
    execFileSync('tar', ['-cf', join(dir, 'bad.tar'), '-C', work, '.']);
    const bad = await stack.berth(['load', '-i', join(dir, 'bad.tar')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('digest mismatch');
    expect((await stack.berth(['image', 'inspect', 'sl-bad:1'])).code).toBe(1);
    expect(storeLeftovers()).toEqual([]);
  }, 120_000);

  it('a load cut off half way (the client killed) leaves no image and no spool', async () => {
    const big = join(dir, 'big');
    execFileSync('sh', ['-c', `mkdir -p ${big}/root && head -c 48000000 /dev/urandom > ${big}/root/blob && tar -cf ${big}/rootfs.tar -C ${big}/root .`]);
    await stack.must(['import', join(big, 'rootfs.tar'), 'sl-big:1']);
    await stack.must(['save', '-o', join(big, 'big.tar'), 'sl-big:1']);
    await stack.must(['rmi', 'sl-big:1']);
    const child = spawn(BERTH, ['load'], { env: { ...process.env, BERTH_HOST: stack.host }, stdio: ['pipe', 'ignore', 'ignore'] });
    // The write fails with EPIPE once the client is killed: that is the point.
    child.stdin.on('error', () => undefined);
    const archive = readFileSync(join(big, 'big.tar'));
    child.stdin.write(archive.subarray(0, archive.length / 2));
    const spooling = (): boolean => storeLeftovers().some((n) => n.startsWith('load/load-'));
    for (let i = 0; i < 100 && !spooling(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spooling()).toBe(true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 100 && storeLeftovers().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(storeLeftovers()).toEqual([]);
    expect((await stack.berth(['image', 'inspect', 'sl-big:1'])).code).toBe(1);
  }, 120_000);

  it('refuses to write an archive to a terminal', () => {
    const result = spawnSync('script', ['-qec', `${BERTH} save sl-one:1`, '/dev/null'], { env: { ...process.env, BERTH_HOST: stack.host }, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }, 60_000);

  const dockerReason = dockerSkipReason();
  if (dockerReason) process.stderr.write(`SKIPPED docker interop in "save and load on a real stack": ${dockerReason}\n`);
  const withDocker = dockerReason ? it.skip : it;

  withDocker(`loads what docker save wrote and runs it${dockerReason ? ` (SKIPPED: ${dockerReason})` : ''}`, async () => {
    const file = join(dir, 'docker.tar');
    execFileSync('docker', ['save', '-o', file, 'busybox:peer'], { timeout: 60_000 });
    expect(await stack.must(['load', '-i', file])).toBe('Loaded image: busybox:peer\n');
    const dockerId = execFileSync('docker', ['image', 'inspect', '-f', '{{.Id}}', 'busybox:peer'], { encoding: 'utf8' }).trim();
    expect((await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox:peer'])).trim()).toBe(dockerId);
    expect(await stack.must(['run', '--rm', 'busybox:peer', 'echo', 'from docker'])).toBe('from docker\n');
  }, 120_000);

  const pulledReason = dockerReason ?? peersSkipReason();
  const withPulled = pulledReason ? it.skip : it;

  // A pull skips a layer the store already has (here: busybox:peer's, loaded above), so the
  // pulled image has no blob of its own for it; save still writes a whole archive.
  withPulled(`saves a pulled image that shares a loaded layer, and docker runs it${pulledReason ? ` (SKIPPED: ${pulledReason})` : ''}`, async () => {
    const ref = `${REGISTRY}/berth-it/save-pulled:t${process.pid}`;
    execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', 'docker-daemon:busybox:peer', `docker://${ref}`], { timeout: 60_000 });
    await stack.must(['pull', '-q', ref]);
    const file = join(dir, 'pulled.tar');
    await stack.must(['save', '-o', file, ref]);
    try {
      expect(execFileSync('docker', ['load', '-i', file], { encoding: 'utf8', timeout: 60_000 })).toContain(`Loaded image: ${ref}`);
      expect(execFileSync('docker', ['run', '--rm', '--network', 'none', ref, 'echo', 'pulled'], { encoding: 'utf8', timeout: 60_000 })).toBe('pulled\n');
    } finally {
      spawnSync('docker', ['rmi', '-f', ref], { stdio: 'ignore' });
    }
    await stack.must(['rmi', ref]);
    expect(await stack.must(['load', '-i', file])).toBe(`Loaded image: ${ref}\n`);
    expect(await stack.must(['run', '--rm', ref, 'echo', 'reloaded'])).toBe('reloaded\n');
  }, 120_000);

  withDocker(`writes archives docker load reads, and docker runs the image${dockerReason ? ` (SKIPPED: ${dockerReason})` : ''}`, async () => {
    const tag = `berth-saved-${process.pid}:1`;
    await stack.must(['tag', 'sl-two:1', tag]);
    const file = join(dir, 'for-docker.tar');
    await stack.must(['save', '-o', file, tag]);
    try {
      expect(execFileSync('docker', ['load', '-i', file], { encoding: 'utf8', timeout: 60_000 })).toContain(`Loaded image: ${tag}`);
      expect(execFileSync('docker', ['run', '--rm', '--network', 'none', tag], { encoding: 'utf8', timeout: 60_000 })).toBe('two\n');
    } finally {
      spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
    }
  }, 120_000);
});
