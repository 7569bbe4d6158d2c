// The registry app killed mid-upload: nothing partial becomes visible, the upload resumes after a
// restart, and SIGTERM stops it cleanly.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describeIf, Hub, registryAppSkipReason } from './hub';

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

// Streams `data` slowly to the registry and never finishes on its own: the kill ends it.
function slowUpload(addr: string, method: string, path: string, data: Buffer): void {
  const [host, port] = addr.split(':');
  const req = request({ host, port: Number(port), method, path, headers: { 'Content-Length': data.length } });
  req.on('error', () => undefined);
  let offset = 0;
  const next = (): void => {
    if (offset >= data.length / 2) return; // keep the request open, half sent
    req.write(data.subarray(offset, offset + (1 << 20)), () => setTimeout(next, 5));
    offset += 1 << 20;
  };
  next();
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describeIf('registry crash safety', registryAppSkipReason(), () => {
  const hub = new Hub({ anonymousPush: true });
  afterAll(async () => hub.remove());

  it('shows no partial blob after SIGKILL and resumes the upload after a restart', async () => {
    await hub.start();
    const chunked = randomBytes(32 << 20);
    const monolithic = randomBytes(32 << 20);
    const start = await fetch(`http://${hub.addr}/v2/crash/test/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location')!;
    slowUpload(hub.addr, 'PATCH', location, chunked);
    slowUpload(hub.addr, 'POST', `/v2/crash/test/blobs/uploads/?digest=${sha(monolithic)}`, monolithic);
    for (let i = 0; i < 100; i++) {
      const range = (await fetch(`http://${hub.addr}${location}`)).headers.get('range') ?? '0-0';
      if (Number(range.split('-')[1]) > 4 << 20) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    await hub.stop('SIGKILL');

    expect(files(join(hub.root, 'registry/blobs'))).toEqual([]);
    expect(existsSync(join(hub.root, 'registry/repositories/crash/test/_layers'))).toBe(false);

    await hub.start();
    for (const data of [chunked, monolithic]) {
      expect((await fetch(`http://${hub.addr}/v2/crash/test/blobs/${sha(data)}`, { method: 'HEAD' })).status).toBe(404);
    }
    const status = await fetch(`http://${hub.addr}${location}`);
    expect(status.status).toBe(204);
    const offset = Number(status.headers.get('range')!.split('-')[1]) + 1;
    expect(offset).toBeGreaterThan(4 << 20);
    const rest = await fetch(`http://${hub.addr}${location}`, {
      method: 'PATCH',
      body: chunked.subarray(offset),
      headers: { 'Content-Range': `${offset}-${chunked.length - 1}` },
    });
    expect(rest.status).toBe(202);
    const done = await fetch(`http://${hub.addr}${location}?digest=${sha(chunked)}`, { method: 'PUT' });
    expect(done.status).toBe(201);
    const got = Buffer.from(await (await fetch(`http://${hub.addr}/v2/crash/test/blobs/${sha(chunked)}`)).arrayBuffer());
    expect(got.equals(chunked)).toBe(true);

    expect(await hub.stop('SIGTERM')).toBe(0);
    expect(hub.stderr).not.toMatch(/registry error/);
  });
});
