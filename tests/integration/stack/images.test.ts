import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxTar, describeIntegration, Stack } from '../harness';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

// A docker save (legacy shape) archive of busybox plus one small layer, with a history of three
// steps, one of them an empty layer.
function historyArchive(dir: string): string {
  const extra = join(dir, 'extra');
  mkdirSync(join(extra, 'etc'), { recursive: true });
  writeFileSync(join(extra, 'etc/hello'), 'hi\n');
  const layers = [readFileSync(busyboxTar()), execFileSync('tar', ['-C', extra, '-cf', '-', '.'])];
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2025-01-01T11:00:00Z',
      config: { Cmd: ['sh'], Labels: { stage: 'history' } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha(l)}`) },
      history: [
        { created: '2025-01-01T09:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:busybox in / ' },
        { created: '2025-01-01T10:00:00Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
        { created: '2025-01-01T11:00:00Z', created_by: '/bin/sh -c echo hi > /etc/hello', comment: 'made by a test' },
      ],
    }),
  );
  const out = join(dir, 'archive');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${sha(config)}.json`), config);
  for (const layer of layers) {
    mkdirSync(join(out, sha(layer)), { recursive: true });
    writeFileSync(join(out, sha(layer), 'layer.tar'), layer);
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify([{ Config: `${sha(config)}.json`, RepoTags: ['im-hist:1'], Layers: layers.map((l) => `${sha(l)}/layer.tar`) }]));
  const file = join(dir, 'history.tar');
  execFileSync('tar', ['-C', out, '-cf', file, '.']);
  return file;
}

// The image store's files (blobs, unpacked layers), to see that removals give everything back.
function storeFiles(root: string): string[] {
  const base = join(root, 'images');
  const found: string[] = [];
  for (const sub of ['blobs', 'layers']) {
    const dir = join(base, sub);
    if (!existsSync(dir)) continue;
    const walk = (path: string, depth: number): void => {
      for (const name of readdirSync(path)) {
        const child = join(path, name);
        if (depth < 2 && statSync(child).isDirectory()) walk(child, depth + 1);
        else found.push(child.slice(base.length + 1));
      }
    };
    walk(dir, 0);
  }
  return found.sort();
}

describeIntegration('images, history, rmi, tag, image prune and system df on a real stack', () => {
  const stack = new Stack();
  let dir: string;
  let baseId: string;

  beforeAll(async () => {
    stack.up();
    dir = mkdtempSync('/tmp/berth-it-images-');
    baseId = (await stack.must(['import', busyboxTar(), 'im-a:1'])).trim();
    await stack.must(['tag', 'im-a:1', 'im-a:2']);
    await stack.must(['tag', 'im-a:1', '127.0.0.1:5001/team/im-b:1']);
    await stack.must(['import', '-c', 'LABEL tier=gold', busyboxTar(), 'im-lab:1']);
    await stack.must(['import', busyboxTar()]);
  }, 120_000);

  afterAll(() => {
    stack.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const imagesLines = async (...args: string[]): Promise<string[]> => (await stack.must(['images', '--format', '{{.Repository}}:{{.Tag}}', ...args])).trim().split('\n').filter(Boolean);

  it("lists docker's columns, one row per tag, untagged images as <none>, -q an ID per row", async () => {
    const table = await stack.must(['images']);
    expect(table.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(table).toMatch(/^<none>\s+<none>\s+[0-9a-f]{12}\s+/m);
    expect(table).toMatch(new RegExp(`^im-a\\s+2\\s+${baseId.slice(7, 19)}\\s+\\S.* ago\\s+1\\.98MB$`, 'm'));
    expect((await stack.must(['images', '--digests'])).split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
    // As docker 28 does: one line per row, so an image with several tags repeats.
    const ids = (await stack.must(['images', '-q'])).trim().split('\n');
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(3);
    expect((await stack.must(['images', '-q', '--no-trunc'])).trim().split('\n')).toContain(baseId);
  });

  it('prints one json object per row with docker keys', async () => {
    const rows = (await stack.must(['images', '--format', 'json', 'im-lab'])).trim().split('\n');
    expect(rows).toHaveLength(1);
    const row = JSON.parse(rows[0] ?? '') as Record<string, string>;
    expect(Object.keys(row).sort()).toEqual(['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize']);
    expect(row).toMatchObject({ Repository: 'im-lab', Tag: '1', Digest: '<none>', Containers: 'N/A' });
    expect(rows[0]).toContain('"Digest":"\\u003cnone\\u003e"');
  });

  it('filters by reference globs, dangling, label, before and since', async () => {
    expect(await imagesLines('im-a')).toEqual(['im-a:1', 'im-a:2']);
    expect(await imagesLines('im-a:2')).toEqual(['im-a:2']);
    expect(await imagesLines('-f', 'reference=*:1')).toEqual(['im-lab:1', 'im-a:1']);
    expect(await imagesLines('-f', 'reference=127.0.0.1:5001/*/*')).toEqual(['127.0.0.1:5001/team/im-b:1']);
    expect(await imagesLines('-f', 'dangling=true')).toEqual(['<none>:<none>']);
    expect(await imagesLines('-f', 'dangling=false')).not.toContain('<none>:<none>');
    expect(await imagesLines('-f', 'label=tier=gold')).toEqual(['im-lab:1']);
    expect(await imagesLines('-f', 'label=tier')).toEqual(['im-lab:1']);
    expect(await imagesLines('-f', 'before=im-lab:1')).toEqual(['127.0.0.1:5001/team/im-b:1', 'im-a:1', 'im-a:2']);
    expect(await imagesLines('-f', 'since=im-a:1', '-f', 'dangling=false')).toEqual(['im-lab:1']);
  });

  it("refuses bad filters with docker's messages and exit codes", async () => {
    expect(await stack.berth(['images', '-f', 'foo=bar'])).toMatchObject({ code: 1, stderr: "Error response from daemon: Invalid filter 'foo'\n" });
    expect(await stack.berth(['images', '-f', 'dangling=xyz'])).toMatchObject({ code: 1, stderr: "Error response from daemon: Invalid filter 'dangling=[xyz]'\n" });
    expect(await stack.berth(['images', '-f', 'before=nope'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such image: nope:latest\n' });
    expect(await stack.berth(['images', '-f', 'reference=['])).toMatchObject({ code: 1, stderr: 'Error response from daemon: syntax error in pattern\n' });
    const bad = await stack.berth(['images', '-f', 'label']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/^invalid argument "label" for "-f, --filter" flag: bad format of filter \(expected name=value\)/);
  });

  // Sizes are docker's: the layer's files (1984299 bytes for this busybox, as dockerd says), not its tar.
  it('shows history from the config, aligned with the layers, empty layers 0B', async () => {
    expect(await stack.must(['load', '-i', historyArchive(dir)])).toBe('Loaded image: im-hist:1\n');
    const id = (await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'im-hist:1'])).trim();
    const lines = (await stack.must(['history', 'im-hist:1'])).split('\n');
    expect(lines[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(lines[1]).toMatch(new RegExp(`^${id.slice(7, 19)}\\s+\\S.* ago\\s+/bin/sh -c echo hi > /etc/hello\\s+3B\\s+made by a test$`));
    // No comment: the SIZE cell keeps its padding, as docker's tabwriter leaves it.
    expect(lines[2]).toMatch(/^<missing>\s+\S.* ago\s+\/bin\/sh -c #\(nop\) {2}CMD \["sh"\]\s+0B {8}$/);
    expect(lines[3]).toMatch(/^<missing>\s+\S.* ago\s+\/bin\/sh -c #\(nop\) ADD file:busybox in \/\s+1\.98MB {4}$/);
    const exact = (await stack.must(['history', '-H=false', '--no-trunc', 'im-hist:1'])).split('\n');
    expect(exact[0]).toMatch(/^IMAGE\s+CREATED AT\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(exact[1]).toMatch(new RegExp(`^${id}\\s+2025-01-01T11:00:00Z\\s+/bin/sh -c echo hi > /etc/hello\\s+3\\s+made by a test$`));
    expect(await stack.must(['history', '-q', 'im-hist:1'])).toBe(`${id.slice(7, 19)}\n<missing>\n<missing>\n`);
    const json = (await stack.must(['image', 'history', '--format', 'json', 'im-hist:1'])).trim().split('\n');
    expect(JSON.parse(json[1] ?? '')).toEqual({ Comment: '', CreatedAt: '2025-01-01T10:00:00Z', CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]', CreatedSince: expect.stringMatching(/ ago$/), ID: '<missing>', Size: '0B' });
    expect(await stack.berth(['history', 'nope'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such image: nope:latest\n' });
    expect((await stack.berth(['history'])).code).toBe(1);
    await stack.must(['rmi', 'im-hist:1']);
  }, 60_000);

  it("tags and untags as docker does, refusing what docker refuses", async () => {
    const short = baseId.slice(7, 19);
    expect(await stack.berth(['tag', 'im-a:1', 'Bad:x'])).toMatchObject({
      code: 1,
      stderr: 'Error parsing reference: "Bad:x" is not a valid repository/tag: invalid reference format: repository name (library/Bad) must be lowercase\n',
    });
    expect(await stack.berth(['tag', 'nope:1', 'x:y'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such image: nope:1\n' });
    expect(await stack.berth(['tag', 'im-a:1', `x@sha256:${'0'.repeat(64)}`])).toMatchObject({ code: 1, stderr: 'refusing to create a tag with a digest reference\n' });
    // Retagging moves a name from one image to another.
    await stack.must(['tag', 'im-lab:1', 'im-move:1']);
    await stack.must(['tag', 'im-a:1', 'im-move:1']);
    expect((await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'im-move:1'])).trim()).toBe(baseId);
    expect(await stack.must(['rmi', 'im-move:1'])).toBe('Untagged: im-move:1\n');
    // By ID while several repositories name it.
    expect(await stack.berth(['rmi', short])).toMatchObject({
      code: 1,
      stderr: `Error response from daemon: conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories\n`,
    });
    expect(await stack.must(['rmi', 'im-a:2'])).toBe('Untagged: im-a:2\n');
    expect(await stack.must(['rmi', '127.0.0.1:5001/team/im-b:1'])).toBe('Untagged: 127.0.0.1:5001/team/im-b:1\n');
  });

  it('refuses an image a container uses unless forced; forced, the image goes and its layers stay with the container', async () => {
    const layersBefore = storeFiles(stack.root).filter((f) => f.startsWith('layers/')).length;
    await stack.must(['load', '-i', historyArchive(dir)]);
    const id = (await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'im-hist:1'])).trim();
    const short = id.slice(7, 19);
    const container = (await stack.must(['create', '--name', 'im-user', 'im-hist:1', 'cat', '/etc/hello'])).trim();
    expect(await stack.berth(['rmi', 'im-hist:1'])).toMatchObject({
      code: 1,
      stderr: `Error response from daemon: conflict: unable to remove repository reference "im-hist:1" (must force) - container ${container.slice(0, 12)} is using its referenced image ${short}\n`,
    });
    expect(await stack.berth(['rmi', short])).toMatchObject({
      code: 1,
      stderr: `Error response from daemon: conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${container.slice(0, 12)}\n`,
    });
    // dockerd prints the same two lines: the image record goes, its layers stay.
    expect(await stack.must(['rmi', '-f', 'im-hist:1'])).toBe(`Untagged: im-hist:1\nDeleted: ${id}\n`);
    expect(await stack.must(['images', '-q', '--no-trunc'])).not.toContain(id);
    expect(await stack.must(['start', '-a', 'im-user'])).toBe('hi\n');
    // The layer only the container held goes with it.
    await stack.must(['rm', 'im-user']);
    expect(storeFiles(stack.root).filter((f) => f.startsWith('layers/'))).toHaveLength(layersBefore);
  }, 60_000);

  it('keeps an image a running container uses, even forced', async () => {
    const short = baseId.slice(7, 19);
    await stack.must(['tag', 'im-a:1', 'im-run:1']);
    const container = (await stack.must(['run', '-d', 'im-run:1', 'sleep', '60'])).trim();
    try {
      expect(await stack.berth(['rmi', '-f', short])).toMatchObject({
        code: 1,
        stderr: `Error response from daemon: conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${container.slice(0, 12)}\n`,
      });
      expect(await stack.must(['rmi', '-f', 'im-run:1'])).toBe('Untagged: im-run:1\n');
    } finally {
      await stack.must(['rm', '-f', container]);
    }
    expect(await stack.must(['image', 'inspect', '-f', '{{.Id}}', 'im-a:1'])).toBe(`${baseId}\n`);
  }, 60_000);

  it('deletes an image with its last tag and keeps layers other images share', async () => {
    await stack.must(['import', busyboxTar(), 'im-del:1']);
    const out = await stack.must(['rmi', 'im-del:1']);
    expect(out).toMatch(/^Untagged: im-del:1\nDeleted: sha256:[0-9a-f]{64}\n$/);
    expect(await stack.must(['run', '--rm', 'im-lab:1', 'echo', 'shared'])).toBe('shared\n');
  }, 60_000);

  it('reports disk usage as docker system df does', async () => {
    // A stopped container that wrote 100 KiB into its writable layer.
    const container = (await stack.must(['create', 'im-lab:1', 'sh', '-c', 'dd if=/dev/zero of=/f bs=1k count=100 2>/dev/null'])).trim();
    await stack.must(['start', '-a', container]);
    const table = (await stack.must(['system', 'df'])).split('\n');
    expect(table[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    // Three images share one layer, counted once.
    expect(table[1]).toMatch(/^Images\s+3\s+1\s+1\.984MB\s+1\.984MB \(100%\)$/);
    expect(table[2]).toMatch(/^Containers\s+1\s+0\s+102\.4kB\s+102\.4kB \(100%\)$/);
    expect(table[3]).toMatch(/^Local Volumes\s+0\s+0\s+0B\s+0B$/);
    expect(table[4]).toMatch(/^Build Cache\s+0\s+0\s+0B\s+0B$/);
    const json = (await stack.must(['system', 'df', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(json[0]).toEqual({ Active: '1', Reclaimable: '1.984MB (100%)', Size: '1.984MB', TotalCount: '3', Type: 'Images' });
    const verbose = await stack.must(['system', 'df', '-v']);
    expect(verbose).toMatch(/^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\n/);
    expect(verbose).toMatch(/^im-lab\s+1\s+[0-9a-f]{12}\s+.* ago\s+1\.98MB\s+1\.984MB\s+0B\s+1$/m);
    expect(verbose).toContain(`\nContainers space usage:\n\nCONTAINER ID`);
    expect(verbose).toMatch(new RegExp(`^${container.slice(0, 12)}\\s+im-lab:1\\s+"sh -c 'dd if=/dev/z…"\\s+0\\s+102kB\\s+.* ago\\s+Exited \\(0\\) `, 'm'));
    expect(verbose).toContain('\nBuild cache usage: 0B\n');
    await stack.must(['rm', container]);
  }, 60_000);

  it('prunes dangling images, then every unused one, giving back every blob and layer', async () => {
    const before = storeFiles(stack.root);
    expect(before.length).toBeGreaterThan(0);
    // The question, and nothing more when the answer is no.
    const no = await stack.berth(['image', 'prune'], { input: 'n\n' });
    expect(no).toEqual({ code: 0, stdout: 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ', stderr: '' });
    // End of input is a no as well.
    expect(await stack.berth(['image', 'prune'])).toEqual(no);
    expect(await stack.berth(['image', 'prune', '-f', '--filter', 'until=xyz'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: failed to parse value as time or duration: "xyz"\n' });
    expect(await stack.berth(['image', 'prune', '-f', '--filter', 'foo=1'])).toMatchObject({ code: 1, stderr: "Error response from daemon: Invalid filter 'foo'\n" });
    const dangling = (await stack.must(['images', '-q', '-f', 'dangling=true'])).trim();
    const yes = await stack.must(['image', 'prune'], { input: 'y\n' });
    expect(yes).toMatch(new RegExp(`^WARNING! This will remove all dangling images.\nAre you sure you want to continue\\? \\[y/N\\] Deleted Images:\ndeleted: sha256:${dangling}[0-9a-f]{52}\n\nTotal reclaimed space: 0B\n$`));
    expect(await stack.must(['images', '-q', '-f', 'dangling=true'])).toBe('');
    expect(await stack.must(['image', 'prune', '-f'])).toBe('Total reclaimed space: 0B\n');

    // -a keeps what a container uses; label filters narrow it.
    const container = (await stack.must(['create', 'im-a:1', 'true'])).trim();
    expect(await stack.must(['image', 'prune', '-af', '--filter', 'label=nothing'])).toBe('Total reclaimed space: 0B\n');
    const pruned = await stack.must(['image', 'prune', '-a', '-f', '--filter', 'label=tier=gold']);
    expect(pruned).toMatch(/^Deleted Images:\nuntagged: im-lab:1\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
    expect(await imagesLines()).toEqual(['im-a:1']);
    await stack.must(['rm', container]);
    const all = await stack.must(['image', 'prune', '-a'], { input: 'y\n' });
    expect(all).toMatch(
      /^WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue\? \[y\/N\] Deleted Images:\nuntagged: im-a:1\ndeleted: sha256:[0-9a-f]{64}\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: 1\.984MB\n$/,
    );
    expect(await stack.must(['images', '-q'])).toBe('');
    expect(storeFiles(stack.root)).toEqual([]);
    expect(await stack.must(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Size}}'])).toBe('Images 0 0B\nContainers 0 0B\nLocal Volumes 0 0B\nBuild Cache 0 0B\n');
  }, 120_000);
});
