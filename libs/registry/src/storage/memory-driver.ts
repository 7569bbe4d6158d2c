import { Readable } from 'node:stream';
import { BerthError, ErrorCode } from '@berth/errors';
import { checkKey, type ObjectHandle, type ObjectInfo, type StorageDriver } from './driver';

interface MemoryObject {
  chunks: Buffer[];
  size: number;
  modifiedAt: Date;
}

// An in-memory backend: for tests, and the proof that handlers depend on the interface only.
export class MemoryDriver implements StorageDriver {
  private readonly objects = new Map<string, MemoryObject>();

  async getContent(path: string): Promise<Buffer | undefined> {
    checkKey(path);
    const object = this.objects.get(path);
    return object ? Buffer.concat(object.chunks) : undefined;
  }

  async putContent(path: string, data: Uint8Array): Promise<void> {
    checkKey(path);
    this.objects.set(path, { chunks: [Buffer.from(data)], size: data.length, modifiedAt: new Date() });
  }

  async reader(path: string, start = 0, end?: number): Promise<Readable | undefined> {
    const whole = await this.getContent(path);
    if (!whole) return undefined;
    return Readable.from([whole.subarray(start, end === undefined ? undefined : end + 1)]);
  }

  async open(path: string): Promise<ObjectHandle | undefined> {
    const whole = await this.getContent(path);
    if (!whole) return undefined;
    return {
      size: whole.length,
      read: async (into, position) => whole.copy(into, 0, Math.min(position, whole.length)),
      close: async () => undefined,
    };
  }

  async append(path: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number> {
    checkKey(path);
    let object = this.objects.get(path);
    const size = object?.size ?? 0;
    if (size !== offset) throw new BerthError(ErrorCode.RangeNotSatisfiable, `upload is at ${size} bytes, not ${offset}`);
    if (!object) {
      object = { chunks: [], size: 0, modifiedAt: new Date() };
      this.objects.set(path, object);
    }
    for await (const chunk of source) {
      object.chunks.push(Buffer.from(chunk));
      object.size += chunk.length;
      object.modifiedAt = new Date();
    }
    return object.size;
  }

  async stat(path: string): Promise<ObjectInfo | undefined> {
    checkKey(path);
    const object = this.objects.get(path);
    return object ? { size: object.size, modifiedAt: object.modifiedAt } : undefined;
  }

  async move(from: string, to: string): Promise<void> {
    checkKey(from);
    checkKey(to);
    const object = this.objects.get(from);
    if (!object) throw new BerthError(ErrorCode.NotFound, `no object ${from}`);
    this.objects.delete(from);
    this.objects.set(to, object);
  }

  async delete(path: string): Promise<void> {
    checkKey(path);
    this.objects.delete(path);
    for (const key of [...this.objects.keys()]) if (key.startsWith(`${path}/`)) this.objects.delete(key);
  }

  async list(path: string): Promise<string[]> {
    checkKey(path);
    const names = new Set<string>();
    for (const key of this.objects.keys()) {
      if (key.startsWith(`${path}/`)) names.add(key.slice(path.length + 1).split('/')[0]!);
    }
    return [...names].sort();
  }
}
