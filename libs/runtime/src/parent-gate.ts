// Keeps the removal of an empty cgroup parent from racing a Create: runc makes the parent and
// then the container's cgroup inside it, and an rmdir of the parent in between would fail the
// create. Creates share the gate; a removal runs only while no create does (and is skipped,
// not queued, when one does: the create's container will bring the parent's removal later).
export class ParentGate {
  private creates = 0;
  private removing: Promise<void> | undefined;

  async create<T>(fn: () => Promise<T>): Promise<T> {
    while (this.removing) await this.removing.catch(() => undefined);
    this.creates++;
    try {
      return await fn();
    } finally {
      this.creates--;
    }
  }

  async removeIfIdle(fn: () => Promise<void>): Promise<void> {
    if (this.creates > 0 || this.removing) return;
    this.removing = fn().finally(() => (this.removing = undefined));
    await this.removing;
  }
}
