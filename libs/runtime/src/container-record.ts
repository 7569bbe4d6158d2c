import { renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { UserIds } from '@berth/oci-spec';
import { runtime } from '@berth/proto';

// What the shim knows about a container beyond what runc and the monitor keep: written into the
// bundle so that a restarted shim rebuilds its view from disk alone.
export interface ContainerRecord {
  id: string;
  spec: runtime.ContainerSpec;
  runtimeName: string;
  runtimePath: string;
  cgroupParent: string;
  user: UserIds;
  createdAt: string;
  startedAt?: string;
  pid?: number;
  monitorPid?: number;
  // "creating" until Create has finished: a record still creating after a crash is half-made.
  phase: 'creating' | 'created';
  // Set by Pause, cleared by Resume: the shim tracks the status it set rather than asking runc.
  paused?: boolean;
  // Set once an exited container's runc state, rootfs mount and cgroups are gone (see release.ts);
  // what describes it (this record, the exit file, the log) stays until Delete.
  released?: boolean;
}

interface StoredRecord extends Omit<ContainerRecord, 'spec'> {
  spec: unknown;
}

// Written to a temporary file and renamed, so a crash never leaves half a record; synchronously:
// a record is a kilobyte or two, not fsynced, so the write only copies it into the page cache
// (microseconds), where four trips through libuv's thread pool (open, write, close, rename) cost
// a run's critical path a millisecond.
export function saveRecord(path: string, record: ContainerRecord): void {
  const stored: StoredRecord = { ...record, spec: runtime.ContainerSpec.toJSON(record.spec) };
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(stored));
  renameSync(temporary, path);
}

export async function loadRecord(path: string): Promise<ContainerRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const stored = JSON.parse(text) as StoredRecord;
    return { ...stored, spec: runtime.ContainerSpec.fromJSON(stored.spec) };
  } catch {
    return undefined;
  }
}
