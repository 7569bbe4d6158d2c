import { randomBytes } from 'node:crypto';
import { open, rename } from 'node:fs/promises';

// Replaces a file so that readers see the old or the new contents, never a mix, even after a crash.
export async function writeFileAtomic(path: string, contents: string): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}
