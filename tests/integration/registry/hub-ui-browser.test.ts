// The Hub's web UI in real headless Chromium (Debian's, driven by playwright-core): a busybox
// image and a two-platform index pushed over the API, then listed, searched, opened, and a
// private repository seen only after signing in; a screenshot shows the page really rendered.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, inflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO } from '../harness';
import { describeIf, Hub, registryAppSkipReason } from './hub';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'alice-secret-pw';
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

const skipReason = registryAppSkipReason() ?? (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (tools/setup.sh installs Debian's chromium)`);

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

// Pushes through the distribution API with Basic credentials, as any client may.
class Pusher {
  constructor(
    private readonly addr: string,
    private readonly auth: string,
  ) {}

  async blob(repo: string, data: Buffer): Promise<{ digest: string; size: number }> {
    const digest = sha256(data);
    const res = await fetch(`http://${this.addr}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { Authorization: this.auth, 'Content-Type': 'application/octet-stream' },
      body: data,
    });
    if (res.status !== 201) throw new Error(`blob upload: ${res.status} ${await res.text()}`);
    return { digest, size: data.length };
  }

  async manifest(repo: string, reference: string, mediaType: string, value: unknown): Promise<string> {
    const body = Buffer.from(JSON.stringify(value));
    const res = await fetch(`http://${this.addr}/v2/${repo}/manifests/${reference}`, { method: 'PUT', headers: { Authorization: this.auth, 'Content-Type': mediaType }, body });
    if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
    return res.headers.get('docker-content-digest')!;
  }

  // busybox's root filesystem as a one-layer OCI image for `architecture`; its manifest digest and size.
  async busybox(repo: string, tag: string, layer: Buffer, architecture: string): Promise<{ digest: string; size: number }> {
    const layerBlob = await this.blob(repo, layer);
    const config = {
      created: '2026-03-04T05:06:07Z',
      architecture,
      os: 'linux',
      config: { Cmd: ['sh'], Env: ['PATH=/bin'], Labels: { note: HOSTILE } },
      rootfs: { type: 'layers', diff_ids: [sha256(Buffer.alloc(0))] },
      history: [{ created: '2026-03-04T05:06:07Z', created_by: `/bin/sh -c #(nop) ADD busybox.tar / ${HOSTILE}` }],
    };
    const configBlob = await this.blob(repo, Buffer.from(JSON.stringify(config)));
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layerBlob }],
    };
    const digest = await this.manifest(repo, tag, OCI_MANIFEST, manifest);
    return { digest, size: Buffer.byteLength(JSON.stringify(manifest)) };
  }
}

// Width, height and how varied the decoded pixels are (a blank page is one colour): the PNG's
// IDAT stream inflated, its distinct byte values counted.
function pngStats(png: Buffer): { width: number; height: number; distinctBytes: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.subarray(at + 4, at + 8).toString('latin1') === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return { width, height, distinctBytes: new Set(inflateSync(Buffer.concat(idat))).size };
}

describeIf('hub web UI in headless Chromium', skipReason, () => {
  jest.setTimeout(30_000);
  const hub = new Hub();
  // Made in beforeAll, not when the file is collected: a skipped suite runs no afterAll.
  let tmp = '';
  let browser: Browser;
  let page: Page;
  let base = '';
  let latest = { digest: '', size: 0 };
  let layerDigest = '';

  beforeAll(async () => {
    tmp = mkdtempSync('/tmp/berth-it-hub-ui-');
    hub.admin(['user', 'add', 'alice', '--password-stdin'], `${PASSWORD}\n`);
    hub.admin(['repo', 'visibility', 'alice/private-tools', 'private']);
    await hub.start();
    base = `http://${hub.addr}`;
    // busybox's root filesystem, made in this test's own directory so nothing outlives it.
    const tar = join(tmp, 'busybox.tar');
    execFileSync('bash', [join(REPO, 'tools/make-busybox-rootfs.sh'), tar], { stdio: 'inherit' });
    const layer = gzipSync(readFileSync(tar));
    layerDigest = sha256(layer);
    const push = new Pusher(hub.addr, `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    latest = await push.busybox('alice/busybox', 'latest', layer, 'amd64');
    const arm = await push.busybox('alice/busybox', 'arm64', layer, 'arm64');
    await push.manifest('alice/busybox', 'multi', OCI_INDEX, {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, ...latest, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: OCI_MANIFEST, ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    });
    await push.busybox('alice/private-tools', 'v1', layer, 'amd64');
    await push.busybox('alice/other', 'v1', layer, 'amd64');
    // As root, Chromium runs only without its sandbox.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub.remove();
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  const cells = async (selector: string): Promise<string[]> => page.locator(selector).allInnerTexts();

  it('lists the public repositories, not the private one, and searches them', async () => {
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    expect(await cells('#repositories a.repository')).toEqual(['alice/busybox', 'alice/other']);
    await page.fill('input[name=q]', 'busy');
    await Promise.all([page.waitForURL(/q=busy/), page.click('form.search button')]);
    expect(await cells('#repositories a.repository')).toEqual(['alice/busybox']);
  });

  it('opens the repository: tags with digest, size, created time and platforms', async () => {
    await Promise.all([page.waitForURL(/\/ui\/repository\?/), page.click('text=alice/busybox')]);
    expect(await cells('#tags .tag-name')).toEqual(['arm64', 'latest', 'multi']);
    const latestRow = page.locator('#tags tr.tag', { hasText: 'latest' });
    expect(await latestRow.locator('.digest').innerText()).toBe(latest.digest);
    expect(await latestRow.locator('.size').innerText()).toMatch(/^\d+(\.\d+)? (kB|MB)$/);
    expect(await latestRow.locator('.created').innerText()).toBe('2026-03-04T05:06:07Z');
    expect(await latestRow.locator('.platform').allInnerTexts()).toEqual(['linux/amd64']);
    const multi = page.locator('#tags tr.tag', { hasText: 'multi' });
    expect(await multi.locator('.platform').allInnerTexts()).toEqual(['linux/amd64', 'linux/arm64/v8']);
  });

  it('opens the image: layers, history and config, the pusher’s text shown as text', async () => {
    await Promise.all([page.waitForURL(/\/ui\/image\?/), page.click('#tags a.tag-name:text-is("latest")')]);
    expect(await page.locator('#manifest-digest').innerText()).toBe(latest.digest);
    expect(await cells('#layers .digest')).toEqual([layerDigest]);
    expect(await cells('#layers .media-type')).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip']);
    expect(await page.locator('#history').innerText()).toContain(`ADD busybox.tar / ${HOSTILE}`);
    const config = JSON.parse(await page.locator('#config').innerText()) as { Cmd: string[]; Labels: Record<string, string> };
    expect(config.Cmd).toEqual(['sh']);
    expect(config.Labels.note).toBe(HOSTILE);
    // Rendered as text: no element came from it, and nothing ran.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
  });

  it('signs in to see the private repository, and out again', async () => {
    await page.goto(`${base}/ui/repository?name=alice%2Fprivate-tools`);
    expect(await page.locator('h1').innerText()).toBe('Not found');
    await page.goto(`${base}/ui/sign-in`);
    await page.fill('input[name=username]', 'alice');
    await page.fill('input[name=password]', 'wrong');
    await page.click('form.sign-in button');
    expect(await page.locator('#sign-in-error').innerText()).toMatch(/Incorrect/);
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(/\/ui\/repositories$/), page.click('form.sign-in button')]);
    expect(await page.locator('#signed-in-as').innerText()).toBe('alice');
    expect(await cells('#repositories a.repository')).toEqual(['alice/busybox', 'alice/other', 'alice/private-tools']);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'berth_hub_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await Promise.all([page.waitForURL(/\/ui\/repository\?/), page.click('text=alice/private-tools')]);
    expect(await cells('#tags .tag-name')).toEqual(['v1']);
    await Promise.all([page.waitForURL(`${base}/`), page.click('form.account button')]);
    expect(await cells('#repositories a.repository')).toEqual(['alice/busybox', 'alice/other']);
  });

  it('renders: a full-size, non-blank screenshot', async () => {
    await page.goto(`${base}/ui/repository?name=alice%2Fbusybox`);
    const file = join(tmp, 'repository.png');
    const png = await page.screenshot({ path: file, fullPage: false });
    const stats = pngStats(png);
    expect(stats).toMatchObject({ width: 1280, height: 900 });
    // Text, table rules and the coloured header: far more than a blank page's few values.
    expect(stats.distinctBytes).toBeGreaterThan(50);
    expect(png.length).toBeGreaterThan(10_000);
    expect(spawnSync('test', ['-s', file]).status).toBe(0);
  });
});
