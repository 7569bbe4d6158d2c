import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { internal, invalidArgument } from '@berth/errors';
import type { types } from '@berth/proto';
import { launchError } from './launch-error';
import { readPidFile } from './pid-file';
import { startMonitor, type MonitorStandbys, type StartedMonitor } from './standby';

export interface MonitorLaunch {
  monitorBinary: string;
  id: string;
  runtimePath: string;
  runtimeRoot: string;
  // Exactly one: create the container from a bundle, or exec a process (a runc process.json).
  bundle?: string;
  execProcessFile?: string;
  logPath: string;
  exitFile: string;
  socketPath: string;
  pidFile: string;
  monitorPidFile: string;
  tty: boolean;
  stdin: boolean;
  // With a bundle: start the process at once (`runc run --detach`), not only create it.
  start?: boolean;
  // Leave the output unread until the first attach client connects (5 s at most), so that a
  // client attaching right after a start still gets every byte.
  holdOutput?: boolean;
  // The container cgroup's memory.oom_control (v1) or memory.events (v2).
  oomSource?: string;
  // With a bundle: what the monitor mounts onto <bundle>/rootfs before the runtime runs (the
  // snapshot's mounts, all onto the rootfs itself).
  rootfsMounts?: readonly types.Mount[];
  // With a bundle: run once the rootfs is mounted and before the runtime runs (it writes
  // config.json, which needs the container's own /etc/passwd); its failure is the launch's.
  beforeRuntime?: () => Promise<void>;
}

// A mount as the monitor's --rootfs-mount takes it: TYPE<tab>SOURCE<tab>OPTIONS.
function rootfsMountArg(mount: types.Mount): string {
  if (mount.target !== '') throw invalidArgument(`a root filesystem mount must be onto the root itself, not ${JSON.stringify(mount.target)}`);
  if (mount.type === '' && mount.source === '') throw invalidArgument('a root filesystem mount has neither type nor source');
  const fields = [mount.type, mount.source, mount.options.filter((o) => o !== '').join(',')];
  if (fields.some((field) => /[\t\n\0]/.test(field))) throw invalidArgument('a root filesystem mount has a tab, newline or NUL in it');
  return fields.join('\t');
}

export function monitorArgs(opts: MonitorLaunch): string[] {
  // The monitor runs in / and wants absolute paths.
  const path = (p: string): string => resolve(p);
  const args = ['--id', opts.id, '--runtime', path(opts.runtimePath), '--runtime-root', path(opts.runtimeRoot)];
  if (opts.bundle !== undefined) args.push('--bundle', path(opts.bundle));
  if (opts.execProcessFile !== undefined) args.push('--exec-process', path(opts.execProcessFile));
  args.push(
    '--log', path(opts.logPath),
    '--exit-file', path(opts.exitFile),
    '--socket', path(opts.socketPath),
    '--pid-file', path(opts.pidFile),
    '--monitor-pid-file', path(opts.monitorPidFile),
  );
  if (opts.tty) args.push('--tty');
  if (opts.stdin) args.push('--stdin');
  if (opts.start === true) args.push('--start');
  if (opts.holdOutput === true) args.push('--hold-output');
  if (opts.oomSource !== undefined) args.push('--oom-source', path(opts.oomSource));
  for (const mount of opts.rootfsMounts ?? []) args.push('--rootfs-mount', rootfsMountArg(mount));
  if (opts.beforeRuntime !== undefined) args.push('--wait-config');
  return args;
}

// Starts a monitor, which mounts the rootfs if asked, runs `runc create` (`runc run --detach`
// with start, or `runc exec --detach`) and reports on fd 3 once the process exists. The monitor
// then lives on by itself; this returns the process's pid and the monitor's. A runtime failure
// becomes COMMAND_NOT_FOUND, COMMAND_NOT_EXECUTABLE or INTERNAL; beforeRuntime's is its own.
// With standbys, a monitor started ahead of need runs it when one is ready.
export async function launchMonitor(opts: MonitorLaunch, standbys?: MonitorStandbys): Promise<{ pid: number; monitorPid: number }> {
  if ((opts.bundle === undefined) === (opts.execProcessFile === undefined)) {
    throw internal('launchMonitor needs exactly one of bundle and execProcessFile');
  }
  const binary = resolve(opts.monitorBinary);
  const args = monitorArgs(opts);
  let outcome: { line: string; code: number | null };
  try {
    const standby = standbys?.take(binary, args);
    const viaStandby = standby === undefined ? undefined : await syncOutcome(standby, opts, true).catch(unlessStandbyGone);
    outcome = viaStandby ?? (await syncOutcome(startMonitor(binary, args), opts, false));
  } finally {
    standbys?.refill(binary);
  }
  const { line, code } = outcome;
  if (line === '') throw internal(`the monitor ${opts.monitorBinary} exited (status ${String(code)}) without reporting`);

  const report = parseSyncLine(line);
  if (report.pid <= 0) throw launchError(report.message ?? '');
  // A monitor built before the sync line named its own pid left it only in its pid file.
  const monitorPid = report.monitorPid ?? (await readPidFile(opts.monitorPidFile));
  if (monitorPid === undefined) throw internal(`the monitor wrote no pid file at ${opts.monitorPidFile}`);
  return { pid: report.pid, monitorPid };
}

// A standby that died before its command line reached it (its exit not yet seen when it was
// taken) did nothing, so the launch starts a monitor of its own instead.
class StandbyGone extends Error {}

function unlessStandbyGone(err: unknown): undefined {
  if (err instanceof StandbyGone) return undefined;
  throw err;
}

// The monitor's report line (empty if it closed its fd without one) and its first process's
// exit status, which comes at once (the monitor proper is its child) and is reaped whatever
// happens.
async function syncOutcome({ child, sync }: StartedMonitor, opts: MonitorLaunch, standby: boolean): Promise<{ line: string; code: number | null }> {
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('error', () => resolveExit(null));
    child.once('close', (code) => resolveExit(code));
  });
  try {
    const line = await readSyncReport(sync, opts.beforeRuntime, standby);
    return { line, code: await exited };
  } catch (err) {
    sync.destroy();
    await exited;
    if (err instanceof BeforeRuntimeError) throw err.cause;
    if (err instanceof StandbyGone) throw err;
    throw internal(`cannot start the monitor ${opts.monitorBinary}: ${(err as Error).message}`, err);
  } finally {
    sync.destroy();
  }
}

class BeforeRuntimeError extends Error {
  constructor(readonly cause: unknown) {
    super('the step before the runtime failed');
  }
}

const MOUNTED_LINE = '{"mounted":true}';

// The monitor's report: one line, then the fd closes (a launch that dies early closes it
// empty). With --wait-config a "mounted" line comes first; the caller's step runs and "go" goes
// back (its failure closes the fd instead, and the monitor undoes its mounts and gives up).
function readSyncReport(sync: Duplex, beforeRuntime: (() => Promise<void>) | undefined, standby: boolean): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let received = Buffer.alloc(0);
    let heard = false;
    sync.on('data', (chunk: Buffer) => {
      heard = true;
      received = Buffer.concat([received, chunk]);
      if (beforeRuntime === undefined || !received.toString('latin1').startsWith(`${MOUNTED_LINE}\n`)) return;
      received = received.subarray(MOUNTED_LINE.length + 1);
      const step = beforeRuntime;
      beforeRuntime = undefined;
      step().then(
        () => sync.write('go\n'),
        (err: unknown) => reject(new BeforeRuntimeError(err)),
      );
    });
    // Not once: a write after the monitor went away errs too, after the first error. A standby's
    // EPIPE with nothing heard: its command line, the only write so far, found it gone.
    sync.on('error', (err: NodeJS.ErrnoException) => reject(standby && !heard && err.code === 'EPIPE' ? new StandbyGone(err.message) : err));
    sync.once('close', () => resolveLine(received.toString('utf8').split('\n')[0] ?? ''));
  });
}

interface SyncReport {
  pid: number;
  monitorPid?: number;
  message?: string;
}

export function parseSyncLine(line: string): SyncReport {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw internal(`the monitor reported nonsense: ${line.slice(0, 200)}`, err);
  }
  const { pid, monitor_pid: monitorPid, message } = (raw ?? {}) as Record<string, unknown>;
  if (typeof pid !== 'number' || (message !== undefined && typeof message !== 'string') || (monitorPid !== undefined && !isPid(monitorPid))) {
    throw internal(`the monitor reported nonsense: ${line.slice(0, 200)}`);
  }
  return { pid, ...(isPid(monitorPid) ? { monitorPid } : {}), ...(message === undefined ? {} : { message }) };
}

function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
