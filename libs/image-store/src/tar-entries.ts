import type { Readable } from 'node:stream';
import type { Header, Pack } from 'tar-stream';

export type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

// An entry without a body (directory, link, empty file), written once the pack takes it.
export function addEntry(pack: Pack, header: EntryHeader, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const callback = (err?: Error | null): void => (err ? reject(err) : resolve());
    if (body === undefined) pack.entry(header, callback);
    else pack.entry(header, body, callback);
  });
}

// A file entry whose body is streamed from `source`, at the pace the archive's reader sets.
export async function streamEntry(pack: Pack, header: EntryHeader & { size: number }, source: Readable): Promise<void> {
  if (header.size === 0) {
    source.destroy();
    return addEntry(pack, header, Buffer.alloc(0));
  }
  let sink: ReturnType<Pack['entry']> | undefined;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  const entry = sink as NonNullable<typeof sink>;
  try {
    for await (const chunk of source) {
      if (!entry.write(chunk as Buffer)) await new Promise<void>((resolve) => entry.once('drain', () => resolve()));
    }
  } catch (err) {
    entry.destroy(err as Error);
    throw err;
  }
  entry.end(Buffer.alloc(0));
  await done;
}
