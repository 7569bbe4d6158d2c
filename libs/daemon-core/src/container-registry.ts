import { alreadyExists, conflict, invalidArgument, notFound } from '@berth/errors';
import type { ContainerRecord } from './container-record';

// The daemon's in-memory index of container records by ID and name.
export class ContainerRegistry {
  private readonly byId = new Map<string, ContainerRecord>();

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  put(record: ContainerRecord): void {
    this.byId.set(record.id, record);
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  nameTaken(name: string): boolean {
    return this.all().some((record) => record.name === name);
  }

  claimName(name: string, forId: string): void {
    const holder = this.all().find((record) => record.name === name);
    if (holder && holder.id !== forId) {
      throw alreadyExists(
        `Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
  }

  // Full ID, name (with or without the leading slash) or unique ID prefix, like docker.
  resolve(ref: string): ContainerRecord {
    if (ref === '') throw invalidArgument('container name or ID must not be empty');
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const name = ref.replace(/^\//, '');
    const named = this.all().find((record) => record.name === name);
    if (named) return named;
    const matches = /^[0-9a-f]+$/.test(ref) ? this.all().filter((record) => record.id.startsWith(ref)) : [];
    if (matches.length === 1) return matches[0] as ContainerRecord;
    if (matches.length > 1) throw conflict(`multiple IDs found with provided prefix: ${ref}`);
    throw notFound(`No such container: ${ref}`);
  }
}
