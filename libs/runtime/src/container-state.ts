import { runtime, type types } from '@berth/proto';
import type { ContainerRecord } from './container-record';
import type { MonitorExit } from './monitor-port';
import type { OciState } from './oci-runtime';
import type { ShimContext } from './shim-context';

const { Status } = runtime;

// How long a container runc calls stopped may take for its monitor to write the exit file.
const EXIT_FILE_GRACE_MS = 2000;
// Reported when the monitor died without recording an exit (docker uses 255 for "unknown").
export const UNKNOWN_EXIT_CODE = 255;

const OCI_STATUS: Record<OciState['status'], runtime.Status | undefined> = {
  creating: Status.STATUS_CREATED,
  created: Status.STATUS_CREATED,
  running: Status.STATUS_RUNNING,
  paused: Status.STATUS_PAUSED,
  stopped: undefined,
};

export function exitStatusOf(exit: MonitorExit | undefined): types.ExitStatus {
  return exit
    ? { exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: exit.finishedAt }
    : { exitCode: UNKNOWN_EXIT_CODE, oomKilled: false, finishedAt: new Date().toISOString() };
}

// The container's exit, if it has one: the exit file, or (when the monitor is gone without
// writing it) an unknown exit. Undefined while the container may still run.
export async function exitOf(ctx: ShimContext, record: ContainerRecord, oci: OciState | undefined): Promise<MonitorExit | undefined> {
  const paths = ctx.paths.container(record.id);
  const written = await ctx.monitor.readExit(paths.exitFile);
  if (written || (oci && OCI_STATUS[oci.status] !== undefined)) return written;
  if (await ctx.monitor.isAlive(paths.monitorPidFile)) {
    try {
      return await ctx.monitor.waitExit(paths.exitFile, AbortSignal.timeout(EXIT_FILE_GRACE_MS));
    } catch {
      return undefined;
    }
  }
  return { exitCode: UNKNOWN_EXIT_CODE, oomKilled: false, finishedAt: '', signal: 0 };
}

// The status the shim itself brought the container to (it ran create, start, pause and resume).
export function knownStatus(record: ContainerRecord): runtime.Status {
  if (record.paused) return Status.STATUS_PAUSED;
  return record.startedAt ? Status.STATUS_RUNNING : Status.STATUS_CREATED;
}

// The state of a container whose monitor has just reported it created (or started): nothing to
// read, the monitor holds any exit until someone attaches or a while has passed.
export function launchedState(ctx: ShimContext, record: ContainerRecord): runtime.ContainerState {
  return { ...baseState(ctx, record), status: knownStatus(record) };
}

function baseState(ctx: ShimContext, record: ContainerRecord): runtime.ContainerState {
  const paths = ctx.paths.container(record.id);
  return {
    id: record.id,
    status: Status.STATUS_STOPPED,
    pid: record.pid ?? 0,
    exitCode: 0,
    oomKilled: false,
    startedAt: record.startedAt ?? '',
    finishedAt: '',
    monitorPid: record.monitorPid ?? 0,
    runtime: record.runtimeName,
    bundle: paths.bundle,
    logPath: paths.logPath,
  };
}

// Status comes from the exit file first (the monitor's word is final). While the monitor lives
// it will write that file when the process ends, so the status the shim set holds and no `runc
// state` (a process spawn) is needed; only a container whose monitor died is asked of runc.
export async function containerState(ctx: ShimContext, record: ContainerRecord): Promise<runtime.ContainerState> {
  const paths = ctx.paths.container(record.id);
  const base = baseState(ctx, record);
  const stopped = (exit: MonitorExit): runtime.ContainerState => ({ ...base, exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: exit.finishedAt });
  const written = await ctx.monitor.readExit(paths.exitFile);
  if (written) return stopped(written);
  if (await ctx.monitor.isAlive(paths.monitorPidFile)) return { ...base, status: knownStatus(record) };
  // The monitor is gone: it may have written the exit file just before, or died without one.
  const oci = await ctx.ociRuntime(record.runtimePath).state(record.id).catch(() => undefined);
  const exit = await exitOf(ctx, record, oci);
  if (exit) return stopped(exit);
  const status = oci ? OCI_STATUS[oci.status] : undefined;
  return { ...base, status: status ?? Status.STATUS_STOPPED, pid: oci?.pid || base.pid };
}
