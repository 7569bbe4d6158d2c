import type { PullEvent } from './events';

// What every job's progress looks like: what the job resolved to, then per-item updates keyed by
// `id` (layers), then the end. Pull and push events both have this shape.
export type JobEvent = { type: 'resolved' } | { type: 'layer'; id: string } | { type: 'done' };

/*
 * The latest state of one job: what it resolved to and each layer's last event. A client that
 * joins a job already under way is sent `replay()` first, so it draws the same lines as the
 * client that started it. Small by design: it travels with every progress update.
 */
export interface JobState<E extends JobEvent> {
  resolved?: Extract<E, { type: 'resolved' }>;
  layers: Array<Extract<E, { type: 'layer' }>>;
}

export type PullState = JobState<PullEvent>;

export function emptyState<E extends JobEvent = PullEvent>(): JobState<E> {
  return { layers: [] };
}

export function applyEvent<E extends JobEvent>(state: JobState<E>, event: E): JobState<E> {
  if (event.type === 'resolved') return { resolved: event as Extract<E, { type: 'resolved' }>, layers: [] };
  if (event.type !== 'layer') return state;
  const layer = event as Extract<E, { type: 'layer' }>;
  const layers = state.layers.filter((l) => l.id !== layer.id);
  const index = state.layers.findIndex((l) => l.id === layer.id);
  layers.splice(index === -1 ? layers.length : index, 0, layer);
  return { ...state, layers };
}

export function replay<E extends JobEvent>(state: JobState<E>): E[] {
  return (state.resolved ? [state.resolved, ...state.layers] : [...state.layers]) as E[];
}

// Progress read back from Redis is untrusted JSON: anything not shaped like a state is ignored.
export function isPullState(value: unknown): value is PullState {
  return typeof value === 'object' && value !== null && Array.isArray((value as PullState).layers);
}
