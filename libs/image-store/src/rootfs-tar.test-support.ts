import { pack } from 'tar-stream';

// A root filesystem tarball of the given files (mode 0755), for tests.
export async function rootfsTar(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const [name, body] of Object.entries(files)) p.entry({ name, mode: 0o755 }, body);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
