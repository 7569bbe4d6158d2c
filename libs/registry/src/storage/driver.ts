import { type Readable } from 'node:stream';
import { invalidArgument } from '@berth/errors';

export interface ObjectInfo {
  size: number;
  modifiedAt: Date;
}

// An object opened for positional reads: a sender reads into buffers it reuses, where a stream
// would allocate a fresh one per chunk (for a large blob that garbage, not the copying, is what
// held the Hub below registry:2's GET throughput).
export interface ObjectHandle {
  readonly size: number;
  // Fills `into` from `position` on; returns the bytes read, 0 at the end of the object.
  read(into: Buffer, position: number): Promise<number>;
  close(): Promise<void>;
}

/*
 * The registry's whole persistent state goes through this small interface, so a Hub process keeps
 * nothing of its own and another backend (S3-compatible object storage) can replace the
 * filesystem without touching the handlers. Paths are relative, '/'-separated keys built only
 * from validated names and digests. Every backend must pass storage/conformance.testkit.ts.
 */
export interface StorageDriver {
  // A small object whole (links, tags, upload records); undefined when absent.
  getContent(path: string): Promise<Buffer | undefined>;
  // Replaces a small object atomically: readers see the old content or the new, never a part.
  putContent(path: string, data: Uint8Array): Promise<void>;
  // Bytes [start, end] (inclusive) of an object; undefined when absent.
  reader(path: string, start?: number, end?: number): Promise<Readable | undefined>;
  // The object for positional reads; undefined when absent. The caller closes it.
  open(path: string): Promise<ObjectHandle | undefined>;
  // Appends a stream to an object (created when absent) whose size must be `offset` (else
  // RANGE_NOT_SATISFIABLE); returns the new size. Bytes written before a failure stay, so an
  // interrupted upload can resume from the object's size.
  append(path: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number>;
  stat(path: string): Promise<ObjectInfo | undefined>;
  // Moves an object, replacing the destination, once its bytes are durable: the destination never
  // shows a partial object.
  move(from: string, to: string): Promise<void>;
  // Deletes an object or everything under a prefix; absent is not an error.
  delete(path: string): Promise<void>;
  // Sorted names of the direct children of a prefix; [] when there are none.
  list(path: string): Promise<string[]>;
}

// Keys come from validated input; this guard makes a bug there fail loudly instead of escaping
// the storage root.
export function checkKey(path: string): string[] {
  const parts = path.split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || part.includes('\0')) throw invalidArgument(`invalid storage key ${JSON.stringify(path)}`);
  }
  return parts;
}
