import { ErrorCode, internal, isBerthError } from '@berth/errors';
import type { ContainerRecord } from './container-record';
import { unmountRootfs } from './rootfs-mount';
import { settleAll } from './settle';
import type { ShimContext } from './shim-context';

// Frees what an exited container holds on the host, as docker does once a container stops: its
// runc state, its rootfs mount and its cgroups. What describes it (the bundle's record, the exit
// file, the log) stays, so State, List and Logs still answer until Delete. Idempotent, so a
// release cut short (a shim killed half-way) is simply done again.
export async function releaseContainer(ctx: ShimContext, record: ContainerRecord): Promise<void> {
  const { id } = record;
  const runcDelete = async (): Promise<void> => {
    try {
      // Also kills what may be left in the cgroup (processes outside the container's pid namespace).
      await ctx.ociRuntime(record.runtimePath).delete(id, true);
    } catch (err) {
      if (!isBerthError(err, ErrorCode.NotFound)) throw err;
    }
    await ctx.cgroups.removeContainer(record.cgroupParent, id);
  };
  // The monitor unmounts the rootfs as the container exits; what is still mounted here (the
  // monitor was killed) is unmounted beside `runc delete`, which never looks at the rootfs of a
  // stopped container. The cgroups wait for runc, which removes them itself and kills first.
  try {
    await settleAll([runcDelete(), unmountRootfs(ctx.paths.container(id).rootfs)]);
  } catch (err) {
    throw isBerthError(err) ? err : internal(`releasing container ${id}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
