import { daemon, runtime } from '@berth/proto';

const { Status } = runtime;

// docker's words for a container's state, from what the runtime reports.
export function dockerState(state: runtime.ContainerState | undefined): daemon.ContainerState {
  const base = daemon.ContainerState.fromPartial({
    startedAt: state?.startedAt || '0001-01-01T00:00:00Z',
    finishedAt: state?.finishedAt || '0001-01-01T00:00:00Z',
  });
  switch (state?.status) {
    case Status.STATUS_RUNNING:
      return { ...base, status: 'running', running: true, pid: state.pid };
    case Status.STATUS_PAUSED:
      return { ...base, status: 'paused', running: true, paused: true, pid: state.pid };
    case Status.STATUS_STOPPED:
      return { ...base, status: 'exited', exitCode: state.exitCode, oomKilled: state.oomKilled };
    case Status.STATUS_CREATED:
      return { ...base, status: 'created' };
    default:
      // The runtime has no trace of it: a container that was never made or was lost.
      return { ...base, status: state ? 'dead' : 'created', dead: state !== undefined };
  }
}
