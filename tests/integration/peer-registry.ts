// Helpers for tests that put images into the peer registry (registry:2 on 127.0.0.1:5001, from
// ../shared/peers/setup.sh) with skopeo, so Berth pulls images it did not push itself.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';

export const REGISTRY = '127.0.0.1:5001';

export function peersSkipReason(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v skopeo']).status !== 0) return 'skopeo is not installed (run ../shared/peers/setup.sh)';
  if (spawnSync('curl', ['-fsS', '-o', '/dev/null', '--max-time', '3', `http://${REGISTRY}/v2/`]).status !== 0) return `registry:2 is not answering on ${REGISTRY} (run ../shared/peers/setup.sh)`;
  return undefined;
}

export const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export async function tarOf(entries: Array<{ name: string; body?: string | Buffer; type?: 'directory' }>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) p.entry({ name: e.name, mode: e.type ? 0o755 : 0o644, type: e.type ?? 'file' }, e.body ?? '');
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
