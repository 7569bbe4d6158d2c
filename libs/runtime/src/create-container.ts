import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { alreadyExists } from '@berth/errors';
import { buildSpec, serializeSpec } from '@berth/oci-spec';
import type { runtime } from '@berth/proto';
import type { ContainerRecord } from './container-record';
import { saveRecord } from './container-record';
import { resolveContainerUser } from './container-user';
import { listHostDevices } from './host-devices';
import type { ShimContext } from './shim-context';
import { toSpecInput } from './spec-input';
import { teardownContainer } from './teardown';
import { networkModeOf, validateContainerSpec } from './validate-spec';

export interface CreateOptions {
  // Start the process too (`runc run --detach`): docker run's create and start in one step.
  start: boolean;
  // With start: the output waits for the first attach (see the monitor's --hold-output).
  holdOutput: boolean;
  // Called once the monitor runs the container, before the record is saved: an attach waiting
  // for this create may connect to the monitor from then on.
  onLaunched?: (record: ContainerRecord) => void;
}

// Makes the bundle (record, rootfs mounted by the monitor, config.json) and has the monitor run
// `runc create` (or `runc run --detach`) under it. Any failure tears down everything made so far
// before the error is reported.
export async function createContainer(
  ctx: ShimContext,
  spec: runtime.ContainerSpec | undefined,
  options: CreateOptions = { start: false, holdOutput: false },
): Promise<ContainerRecord> {
  validateContainerSpec(spec);
  // The runtime moves the container's init into its cgroup on the way (see MigrationWarmer).
  const cool = ctx.cgroups.keepMigrationsWarm();
  try {
    return await createValidated(ctx, spec, options);
  } finally {
    cool();
  }
}

async function createValidated(ctx: ShimContext, spec: runtime.ContainerSpec, options: CreateOptions): Promise<ContainerRecord> {
  const networkMode = networkModeOf(spec);
  const [binary, seccomp] = await Promise.all([ctx.runtimes.resolve(spec.runtime), ctx.seccomp.choose(spec.security?.seccompProfile ?? '')]);
  const paths = ctx.paths.container(spec.id);

  try {
    // Only root may enter: the container's mounted root filesystem is in it, and its path shows
    // in mountinfo (a setuid binary the container made must not be runnable by host users).
    await mkdir(paths.bundle, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(`container ${spec.id} already exists`);
    throw err;
  }

  const record: ContainerRecord = {
    id: spec.id,
    spec,
    runtimeName: binary.name,
    runtimePath: binary.path,
    cgroupParent: ctx.cgroupParent,
    user: { uid: 0, gid: 0, additionalGids: [] },
    createdAt: new Date().toISOString(),
    phase: 'creating',
  };
  try {
    // The record first: a crash before it is written leaves a bundle without a record, which
    // recovery tears down just the same. Then the monitor mounts the rootfs (no mount(8) to
    // spawn), config.json is written against the container's own /etc/passwd, and only then
    // does the monitor run the runtime.
    saveRecord(paths.record, record);
    const writeConfig = async (): Promise<void> => {
      const privileged = spec.security?.privileged ?? false;
      const hostDevices = privileged ? await listHostDevices() : [];
      record.user = resolveContainerUser(paths.rootfs, spec.user);
      const ociSpec = buildSpec(
        toSpecInput({
          spec,
          rootfsPath: paths.rootfs,
          user: record.user,
          cgroupsPath: ctx.cgroups.cgroupsPath(ctx.cgroupParent, spec.id),
          networkMode,
          seccomp,
          hostDevices,
          host: ctx.host,
        }),
      );
      // While this runs the monitor (and the container's start) waits: written at once, as the
      // records are (see saveRecord).
      writeFileSync(paths.config, serializeSpec(ociSpec));
    };
    const launched = await ctx.monitor.launch({
      monitorBinary: ctx.monitorBinary,
      id: spec.id,
      runtimePath: binary.path,
      runtimeRoot: ctx.paths.state,
      bundle: paths.bundle,
      logPath: paths.logPath,
      exitFile: paths.exitFile,
      socketPath: paths.socketPath,
      pidFile: paths.pidFile,
      monitorPidFile: paths.monitorPidFile,
      tty: spec.tty,
      stdin: spec.openStdin,
      oomSource: ctx.cgroups.oomSource(ctx.cgroupParent, spec.id),
      start: options.start,
      holdOutput: options.start && options.holdOutput,
      rootfsMounts: spec.rootfs,
      beforeRuntime: writeConfig,
    });
    record.pid = launched.pid;
    record.monitorPid = launched.monitorPid;
    record.phase = 'created';
    if (options.start) record.startedAt = new Date().toISOString();
    options.onLaunched?.(record);
    saveRecord(paths.record, record);
    return record;
  } catch (err) {
    await teardownContainer(ctx, { id: spec.id, runtimePath: binary.path, cgroupParent: ctx.cgroupParent }).catch((cleanupErr: unknown) =>
      ctx.logger.warn(`cleaning up after failed create of ${spec.id}: ${cleanupErr instanceof Error ? cleanupErr.message : String(cleanupErr)}`),
    );
    throw err;
  }
}
