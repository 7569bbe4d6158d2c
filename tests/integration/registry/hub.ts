// Starts Berth's registry app on a free loopback port and a temporary root, and tells which peer
// clients (skopeo, podman, docker, registry:2) this machine has.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO } from '../harness';

export const REGISTRY_MAIN = join(REPO, 'apps/registry/dist/main.js');
export const PEER_REGISTRY = '127.0.0.1:5001';

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

export async function waitForRegistry(addr: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // 401 is an answer too: the Hub challenges anonymous callers of /v2/.
      const status = (await fetch(`http://${addr}/v2/`)).status;
      if (status === 200 || status === 401) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`registry at ${addr} did not come up`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

export class Hub {
  private madeRoot: string | undefined;
  addr = '';
  private child?: ChildProcess;
  stderr = '';

  // `anonymousPush`: the development mode, no accounts needed; otherwise accounts and tokens.
  constructor(private readonly options: { anonymousPush?: boolean; args?: string[] } = {}) {}

  // Made on first use, not when a suite that may be skipped is collected (it runs no afterAll).
  get root(): string {
    this.madeRoot ??= mkdtempSync('/tmp/berth-it-hub-');
    return this.madeRoot;
  }

  // Runs an admin command of the app on this Hub's root (`user add alice --password-stdin`).
  admin(args: string[], stdin = ''): string {
    const result = spawnSync(process.execPath, [REGISTRY_MAIN, ...args, '--root', this.root], { input: stdin, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`registry ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  async start(): Promise<void> {
    this.addr = this.addr || `127.0.0.1:${await freePort()}`;
    const args = [REGISTRY_MAIN, '--addr', this.addr, '--root', this.root, ...(this.options.anonymousPush ? ['--allow-anonymous-push'] : []), ...(this.options.args ?? [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child = child;
    await waitForRegistry(this.addr);
  }

  // Stops the process: SIGTERM for a clean stop, SIGKILL for a crash.
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill(signal);
    return exited;
  }

  async remove(): Promise<void> {
    await this.stop('SIGKILL');
    if (this.madeRoot !== undefined) rmSync(this.madeRoot, { recursive: true, force: true });
    this.madeRoot = undefined;
  }
}

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

export function registryAppSkipReason(): string | undefined {
  return existsSync(REGISTRY_MAIN) ? undefined : 'apps/registry is not built (npm run build)';
}

// Why a peer cannot be used here, or undefined when it can.
export function peerSkipReason(peer: 'skopeo' | 'podman' | 'docker' | 'registry:2'): string | undefined {
  const app = registryAppSkipReason();
  if (app) return app;
  const setup = 'install the peers with ../shared/peers/setup.sh';
  switch (peer) {
    case 'skopeo':
      if (!has('skopeo')) return `skopeo is not installed (${setup})`;
      return spawnSync('docker', ['image', 'inspect', 'busybox:peer']).status === 0 ? undefined : `docker image busybox:peer is missing (${setup})`;
    case 'podman':
      if (!has('podman')) return `podman is not installed (${setup})`;
      return spawnSync('podman', ['image', 'exists', 'localhost/busybox:peer']).status === 0 ? undefined : `podman image localhost/busybox:peer is missing (${setup})`;
    case 'docker':
      if (!has('docker')) return `docker is not installed (${setup})`;
      return spawnSync('docker', ['image', 'inspect', 'busybox:peer']).status === 0 ? undefined : `docker's daemon or image busybox:peer is missing (${setup})`;
    case 'registry:2':
      return spawnSync('curl', ['-fsS', `http://${PEER_REGISTRY}/v2/`]).status === 0 ? undefined : `registry:2 is not serving on ${PEER_REGISTRY} (${setup})`;
  }
}

export const describeIf = (name: string, reason: string | undefined, fn: () => void): void => {
  if (reason) {
    describe.skip(`${name} (SKIPPED: ${reason})`, fn);
    process.stderr.write(`SKIPPED integration suite "${name}": ${reason}\n`);
  } else {
    describe(name, fn);
  }
};

export const itIf = (name: string, reason: string | undefined, fn: () => Promise<void>, timeout?: number): void => {
  if (reason) {
    it.skip(`${name} (SKIPPED: ${reason})`, fn);
    process.stderr.write(`SKIPPED integration test "${name}": ${reason}\n`);
  } else {
    it(name, fn, timeout);
  }
};

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

// Deletes every tagged manifest (and an index's children) of `repos` through the API, so a run
// leaves nothing behind in a shared registry such as the peer registry:2.
export async function deleteManifests(addr: string, repos: string[]): Promise<void> {
  for (const repo of repos) {
    const list = await fetch(`http://${addr}/v2/${repo}/tags/list`);
    if (!list.ok) continue;
    const { tags } = (await list.json()) as { tags: string[] | null };
    for (const tag of tags ?? []) {
      const res = await fetch(`http://${addr}/v2/${repo}/manifests/${tag}`, { headers: { Accept: MANIFEST_TYPES } });
      if (!res.ok) continue;
      const digest = res.headers.get('docker-content-digest');
      const body = (await res.json()) as { manifests?: { digest: string }[] };
      for (const d of [digest, ...(body.manifests ?? []).map((m) => m.digest)]) {
        if (d) await fetch(`http://${addr}/v2/${repo}/manifests/${d}`, { method: 'DELETE' });
      }
    }
  }
}
