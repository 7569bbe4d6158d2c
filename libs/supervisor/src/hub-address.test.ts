import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackLayout } from '@berth/layout';
import { chooseHubAddress, hubAddress, hubAddrFile } from './hub-address';

const listen = (port: number): Promise<Server> =>
  new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });

describe('chooseHubAddress', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'berth-hubaddr-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('picks a free loopback port for a new stack, records it and keeps it', async () => {
    const layout = stackLayout(root);
    expect(hubAddress(layout)).toBeUndefined();
    const addr = await chooseHubAddress(layout);
    expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(readFileSync(hubAddrFile(layout), 'utf8')).toBe(`${addr}\n`);
    expect(await chooseHubAddress(layout)).toBe(addr);
  });

  it('takes the address asked for, and refuses a malformed one', async () => {
    const layout = stackLayout(root);
    expect(await chooseHubAddress(layout, '127.0.0.1:5999')).toBe('127.0.0.1:5999');
    expect(hubAddress(layout)).toBe('127.0.0.1:5999');
    await expect(chooseHubAddress(layout, 'localhost')).rejects.toThrow(/want HOST:PORT/);
    await expect(chooseHubAddress(layout, '127.0.0.1:70000')).rejects.toThrow(/want HOST:PORT/);
  });

  it('moves away from a recorded port something else now holds, or a corrupt record', async () => {
    const layout = stackLayout(root);
    const busy = await listen(0);
    try {
      const port = (busy.address() as { port: number }).port;
      writeFileSync(hubAddrFile(layout), `127.0.0.1:${port}\n`);
      const addr = await chooseHubAddress(layout);
      expect(addr).not.toBe(`127.0.0.1:${port}`);
      writeFileSync(hubAddrFile(layout), 'garbage\n');
      expect(await chooseHubAddress(layout)).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      busy.close();
    }
  });
});
