import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from './container-record';

export interface RecordStore {
  load(): Promise<ContainerRecord[]>;
  save(record: ContainerRecord): Promise<void>;
  delete(id: string): Promise<void>;
}

// One JSON file per container, replaced atomically so a crash never leaves half a record.
export class FileRecordStore implements RecordStore {
  constructor(private readonly dir: string) {}

  async load(): Promise<ContainerRecord[]> {
    await mkdir(this.dir, { recursive: true });
    const records: ContainerRecord[] = [];
    for (const entry of await readdir(this.dir)) {
      if (!entry.endsWith('.json')) continue;
      try {
        records.push(JSON.parse(await readFile(join(this.dir, entry), 'utf8')) as ContainerRecord);
      } catch {
        // A torn or foreign file is not a container; reconcile removes what it refers to.
      }
    }
    return records;
  }

  async save(record: ContainerRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = join(this.dir, `${record.id}.json`);
    const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(record));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  }

  async delete(id: string): Promise<void> {
    await rm(join(this.dir, `${id}.json`), { force: true });
  }
}
