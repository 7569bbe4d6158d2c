import { readdir, rm } from 'node:fs/promises';
import { internal, isBerthError, ErrorCode } from '@berth/errors';
import { unmountRootfs, isMounted } from './rootfs-mount';
import { pollUntil, processMatches, readPidFile } from './process-check';
import type { ShimContext } from './shim-context';

const MONITOR_EXIT_TIMEOUT_MS = 5000;

// Stops a monitor that outlived its container (or a create that failed half-way): it gets a
// moment to write the exit file and leave, then SIGKILL.
export async function stopMonitor(ctx: ShimContext, monitorPidFile: string, id: string): Promise<void> {
  const gone = await pollUntil(async () => !(await ctx.monitor.isAlive(monitorPidFile)), MONITOR_EXIT_TIMEOUT_MS);
  if (gone) return;
  const pid = await readPidFile(monitorPidFile);
  if (pid !== undefined && (await processMatches(pid, id))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await pollUntil(async () => !(await processMatches(pid, id)), MONITOR_EXIT_TIMEOUT_MS);
  }
}

// Removes every trace of a container: runtime state, monitors (its own and its execs'), the
// rootfs mount, cgroups in every hierarchy, and its files. Used by Delete, by a failed Create and
// by recovery. Steps go on after a failure so that as much as possible is gone; the first error
// is reported. The bundle is only removed once nothing is mounted in it.
export async function teardownContainer(ctx: ShimContext, id: string, runtimePath: string, cgroupParent: string): Promise<void> {
  const paths = ctx.paths.container(id);
  const errors: unknown[] = [];
  const step = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  };

  await step(async () => {
    try {
      await ctx.ociRuntime(runtimePath).delete(id, true);
    } catch (err) {
      if (!isBerthError(err, ErrorCode.NotFound)) throw err;
    }
  });
  await step(() => stopMonitor(ctx, paths.monitorPidFile, id));
  await step(async () => {
    for (const execId of await readdir(paths.execDir).catch(() => [] as string[])) {
      const exec = ctx.paths.exec(id, execId);
      await stopMonitor(ctx, exec.monitorPidFile, id);
      await rm(exec.socketPath, { force: true });
    }
  });
  await step(() => unmountRootfs(paths.rootfs));
  await step(() => ctx.cgroups.removeContainer(cgroupParent, id));
  await step(async () => {
    if (await isMounted(paths.bundle)) throw internal(`${paths.bundle} still has mounts; not removing it`);
    await rm(paths.bundle, { recursive: true, force: true });
  });
  await step(async () => {
    for (const file of [paths.exitFile, paths.logPath, paths.socketPath]) await rm(file, { force: true });
  });
  if (errors.length > 0) {
    const first = errors[0];
    throw isBerthError(first) ? first : internal(`removing container ${id}: ${first instanceof Error ? first.message : String(first)}`, first);
  }
}
