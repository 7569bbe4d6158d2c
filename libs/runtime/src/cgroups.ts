import { existsSync, lstatSync } from 'node:fs';
import { lstat, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from './abortable-sleep';
import { MigrationWarmer } from './migration-warmer';
import { settleAll } from './settle';

const REMOVE_ATTEMPTS = 50;
const REMOVE_RETRY_MS = 100;

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

// The host's cgroup file system as the shim needs it: where runc (cgroupfs driver) puts a
// container, where its OOM kills show, and how to remove what runc leaves behind. Works on v1
// (one hierarchy per controller, possibly with a v2 "unified" one beside them: hybrid) and v2.
export class HostCgroups {
  readonly unified: boolean;
  private roots: Promise<string[]> | undefined;
  private readonly warmer: MigrationWarmer;

  constructor(readonly mountRoot = '/sys/fs/cgroup') {
    this.unified = existsSync(join(mountRoot, 'cgroup.controllers'));
    const hybrid = !this.unified && existsSync(join(mountRoot, 'unified', 'cgroup.controllers'));
    this.warmer = new MigrationWarmer(mountRoot, this.unified ? 'v2' : hybrid ? 'hybrid' : 'v1');
  }

  // For as long as a runtime may move processes into a container's cgroup (see
  // MigrationWarmer): returns at once, with the function that ends it.
  keepMigrationsWarm(): () => void {
    return this.warmer.hold();
  }

  // runc takes an absolute path as relative to each hierarchy's root.
  cgroupsPath(parent: string, id: string): string {
    return `/${parent}/${id}`;
  }

  // The file the monitor watches for OOM kills of this container.
  oomSource(parent: string, id: string): string {
    return this.unified
      ? join(this.mountRoot, parent, id, 'memory.events')
      : join(this.mountRoot, 'memory', parent, id, 'memory.oom_control');
  }

  // Without swap accounting (no memory.memsw.* on v1) swap limits must be dropped.
  swapLimitSupported(): boolean {
    return this.unified || existsSync(join(this.mountRoot, 'memory', 'memory.memsw.limit_in_bytes'));
  }

  // Every hierarchy root: each v1 controller mount (and the hybrid unified one), or the v2 root.
  // Listed once: the host's cgroup mounts do not change under a running shim.
  hierarchies(): Promise<string[]> {
    this.roots ??= this.listHierarchies();
    this.roots.catch(() => (this.roots = undefined));
    return this.roots;
  }

  private async listHierarchies(): Promise<string[]> {
    if (this.unified) return [this.mountRoot];
    const roots: string[] = [];
    for (const name of await readdir(this.mountRoot)) {
      const dir = join(this.mountRoot, name);
      // Co-mounted controllers appear twice (cpu -> cpu,cpuacct); the link adds nothing.
      if ((await lstat(dir)).isDirectory()) roots.push(dir);
    }
    return roots;
  }

  // Removes <parent>/<id> (and anything below it) in every hierarchy. A cgroup whose last process
  // is still exiting is busy for a moment, so removal retries for a few seconds.
  async removeContainer(parent: string, id: string): Promise<void> {
    // Usually `runc delete` has removed them all already: the ones gone are told apart by a stat
    // that makes no error (a failing fs call in each of a dozen hierarchies is what this costs
    // most, at every container's release).
    const present = (await this.hierarchies()).map((root) => join(root, parent, id)).filter((dir) => lstatSync(dir, { throwIfNoEntry: false }) !== undefined);
    await settleAll(present.map((dir) => removeTree(dir)));
  }

  // Removes the parent where it has become empty; a parent still holding containers stays.
  async removeParentIfEmpty(parent: string): Promise<void> {
    // Missing, or still in use by another container: either way it is not ours to remove.
    await Promise.all((await this.hierarchies()).map((root) => rmdir(join(root, parent)).catch(() => undefined)));
  }

  // Host paths of the container's cgroup that still exist (for checks and tests).
  async leftovers(parent: string, id: string): Promise<string[]> {
    return (await this.hierarchies()).map((root) => join(root, parent, id)).filter((dir) => existsSync(dir));
  }
}

async function removeTree(dir: string): Promise<void> {
  let children: string[];
  try {
    children = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return;
    throw err;
  }
  for (const child of children) await removeTree(join(dir, child));
  for (let attempt = 1; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT') return;
      if ((code !== 'EBUSY' && code !== 'ENOTEMPTY') || attempt >= REMOVE_ATTEMPTS) throw err;
      await sleep(REMOVE_RETRY_MS);
    }
  }
}
