import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { invalidArgument } from '@berth/errors';
import { DEFAULT_ROOT, type StackLayout } from '@berth/layout';

// The default stack's Hub is where a Docker user expects a local registry; every other stack's
// Hub gets a free loopback port, picked once and recorded under its root, so two stacks side by
// side never collide and a stack keeps its address across restarts.
export const DEFAULT_HUB_ADDR = '127.0.0.1:5000';

const ADDR = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/;

export function hubAddrFile(layout: StackLayout): string {
  return join(layout.root, 'hub.addr');
}

export function parseHubAddr(addr: string): { host: string; port: number } {
  const match = ADDR.exec(addr);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw invalidArgument(`invalid Hub address ${JSON.stringify(addr)}: want HOST:PORT`);
  return { host: match[1] ?? match[2]!, port };
}

// The address the stack's Hub uses: the recorded one, else the default stack's fixed one;
// undefined for a stack never started.
export function hubAddress(layout: StackLayout): string | undefined {
  try {
    return readFileSync(hubAddrFile(layout), 'utf8').trim() || undefined;
  } catch {
    return layout.root === DEFAULT_ROOT ? DEFAULT_HUB_ADDR : undefined;
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Picks and records the Hub's address before the stack starts: the one asked for, else the
// recorded one (for the default stack, 127.0.0.1:5000) while its port is free, else a fresh free
// loopback port: a port something else holds would only keep the Hub restarting.
export async function chooseHubAddress(layout: StackLayout, requested?: string): Promise<string> {
  let addr = requested;
  if (addr !== undefined) parseHubAddr(addr);
  else {
    const preferred = hubAddress(layout);
    const parsed = preferred === undefined || !ADDR.test(preferred) ? undefined : parseHubAddr(preferred);
    if (parsed !== undefined && (await portFree(parsed.host, parsed.port))) addr = preferred;
    addr ??= `127.0.0.1:${await freeLoopbackPort()}`;
  }
  const file = hubAddrFile(layout);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${addr}\n`);
  renameSync(`${file}.tmp`, file);
  return addr;
}
