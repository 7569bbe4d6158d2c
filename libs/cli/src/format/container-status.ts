import type { daemon } from '@berth/proto';
import { humanDuration, parseTime } from './duration';

// The STATUS column of `docker ps`, from a container's state.
export function containerStatus(state: daemon.ContainerState | undefined, now: number = Date.now()): string {
  if (state === undefined) return '';
  const since = (time: string): string => {
    const at = parseTime(time);
    return at === undefined ? '' : humanDuration(Math.max(0, now - at));
  };
  switch (state.status) {
    case 'running':
      return `Up ${since(state.startedAt)}`;
    case 'paused':
      return `Up ${since(state.startedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${state.exitCode}) ${since(state.finishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited': {
      const ago = since(state.finishedAt);
      return ago === '' ? `Exited (${state.exitCode})` : `Exited (${state.exitCode}) ${ago} ago`;
    }
    default:
      return state.status;
  }
}
