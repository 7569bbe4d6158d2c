import { readdir, rm } from 'node:fs/promises';
import { internal, isBerthError, ErrorCode } from '@berth/errors';
import { unmountRootfs, isMounted } from './rootfs-mount';
import { pollUntil, processMatches, readPidFile } from './process-check';
import type { ShimContext } from './shim-context';

const MONITOR_EXIT_TIMEOUT_MS = 5000;
// A monitor leaves within a few milliseconds of writing the exit file (when no client holds it),
// and Delete waits for that: poll finely.
const MONITOR_POLL_MS = 5;

// Stops a monitor that outlived its container (or a create that failed half-way): it gets a
// moment to write the exit file and leave, then SIGKILL.
export async function stopMonitor(ctx: ShimContext, monitorPidFile: string, id: string): Promise<void> {
  const gone = await pollUntil(async () => !(await ctx.monitor.isAlive(monitorPidFile)), MONITOR_EXIT_TIMEOUT_MS, MONITOR_POLL_MS);
  if (gone) return;
  const pid = await readPidFile(monitorPidFile);
  if (pid !== undefined && (await processMatches(pid, id))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await pollUntil(async () => !(await processMatches(pid, id)), MONITOR_EXIT_TIMEOUT_MS, MONITOR_POLL_MS);
  }
}

export interface TeardownTarget {
  id: string;
  runtimePath: string;
  cgroupParent: string;
  // Already released (release.ts): runc no longer knows it, so there is no `runc delete` to run.
  released?: boolean;
}

// Removes every trace of a container: runtime state, monitors (its own and its execs'), the
// rootfs mount, cgroups in every hierarchy, and its files. Used by Delete, by a failed Create and
// by recovery. Steps go on after a failure so that as much as possible is gone; the first error
// is reported. The bundle is only removed once nothing is mounted in it.
export async function teardownContainer(ctx: ShimContext, target: TeardownTarget): Promise<void> {
  const { id } = target;
  const paths = ctx.paths.container(id);
  const errors: unknown[] = [];
  const step = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  };

  if (!target.released) {
    await step(async () => {
      try {
        await ctx.ociRuntime(target.runtimePath).delete(id, true);
      } catch (err) {
        if (!isBerthError(err, ErrorCode.NotFound)) throw err;
      }
    });
  }
  // With the processes gone (runc delete kills them) the rest is independent: monitors leave,
  // the rootfs unmounts and the cgroups go at the same time.
  await Promise.all([
    step(() => stopMonitor(ctx, paths.monitorPidFile, id)),
    step(async () => {
      const execIds = await readdir(paths.execDir).catch(() => [] as string[]);
      await Promise.all(
        execIds.map(async (execId) => {
          const exec = ctx.paths.exec(id, execId);
          await stopMonitor(ctx, exec.monitorPidFile, id);
          await rm(exec.socketPath, { force: true });
        }),
      );
    }),
    // A released container's mount and cgroups are gone already; the bundle check below still
    // makes sure nothing is mounted before anything is removed.
    ...(target.released ? [] : [step(() => unmountRootfs(paths.rootfs)), step(() => ctx.cgroups.removeContainer(target.cgroupParent, id))]),
  ]);
  await Promise.all([
    step(async () => {
      if (await isMounted(paths.bundle)) throw internal(`${paths.bundle} still has mounts; not removing it`);
      await rm(paths.bundle, { recursive: true, force: true });
    }),
    step(async () => {
      await Promise.all([paths.exitFile, paths.logPath, paths.socketPath].map((file) => rm(file, { force: true })));
    }),
  ]);
  if (errors.length > 0) {
    const first = errors[0];
    throw isBerthError(first) ? first : internal(`removing container ${id}: ${first instanceof Error ? first.message : String(first)}`, first);
  }
}
