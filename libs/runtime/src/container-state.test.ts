import { runtime } from '@berth/proto';
import type { ContainerRecord } from './container-record';
import { containerState, UNKNOWN_EXIT_CODE } from './container-state';
import type { MonitorExit, MonitorPort } from './monitor-port';
import type { OciRuntime, OciState } from './oci-runtime';
import { RuntimePaths } from './runtime-paths';
import type { ShimContext } from './shim-context';

const { Status } = runtime;

function context(opts: { exit?: MonitorExit; oci?: OciState; monitorAlive?: boolean }): ShimContext {
  const monitor = {
    readExit: async () => opts.exit,
    waitExit: async () => {
      throw new Error('timeout');
    },
    isAlive: async () => opts.monitorAlive ?? false,
  } as unknown as MonitorPort;
  const oci = { state: async () => opts.oci } as unknown as OciRuntime;
  return { paths: new RuntimePaths('/nowhere/runtime'), monitor, ociRuntime: () => oci } as unknown as ShimContext;
}

const record: ContainerRecord = {
  id: 'c1',
  spec: runtime.ContainerSpec.fromPartial({ id: 'c1' }),
  runtimeName: 'runc',
  runtimePath: '/usr/sbin/runc',
  cgroupParent: 'berth',
  user: { uid: 0, gid: 0, additionalGids: [] },
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: '2026-01-01T00:00:01Z',
  pid: 42,
  monitorPid: 41,
  phase: 'created',
};

describe('containerState', () => {
  it('trusts the exit file first', async () => {
    const exit = { exitCode: 137, oomKilled: true, finishedAt: '2026-01-01T00:00:02Z', signal: 9 };
    const state = await containerState(context({ exit, oci: { status: 'running', pid: 42 } }), record);
    expect(state).toMatchObject({ status: Status.STATUS_STOPPED, exitCode: 137, oomKilled: true, finishedAt: exit.finishedAt, pid: 42 });
    expect(state.bundle).toBe('/nowhere/runtime/bundles/c1');
    expect(state.logPath).toBe('/nowhere/runtime/logs/c1.log');
  });

  it.each([
    ['created', { startedAt: undefined }, Status.STATUS_CREATED],
    ['running', {}, Status.STATUS_RUNNING],
    ['paused', { paused: true }, Status.STATUS_PAUSED],
  ] as const)('reports %s from what the shim set while the monitor lives, without asking runc', async (_name, change, expected) => {
    const ctx = context({ monitorAlive: true });
    const state = jest.fn();
    (ctx as unknown as { ociRuntime: () => unknown }).ociRuntime = () => ({ state });
    const result = await containerState(ctx, { ...record, ...change });
    expect(result.status).toBe(expected);
    expect(result.pid).toBe(42);
    expect(result.runtime).toBe('runc');
    expect(state).not.toHaveBeenCalled();
  });

  it.each([
    ['created', Status.STATUS_CREATED],
    ['running', Status.STATUS_RUNNING],
    ['paused', Status.STATUS_PAUSED],
  ] as const)('maps runc %s once the monitor is gone', async (status, expected) => {
    const state = await containerState(context({ oci: { status, pid: 43 }, monitorAlive: false }), record);
    expect(state.status).toBe(expected);
    expect(state.pid).toBe(43);
    expect(state.startedAt).toBe(record.startedAt);
  });

  it('reports an unknown exit when the monitor died without an exit file', async () => {
    const state = await containerState(context({ oci: undefined, monitorAlive: false }), record);
    expect(state).toMatchObject({ status: Status.STATUS_STOPPED, exitCode: UNKNOWN_EXIT_CODE });
  });
});
