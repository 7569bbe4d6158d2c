import type { PullEvent } from './events';

type ResolvedEvent = Extract<PullEvent, { type: 'resolved' }>;
type LayerEvent = Extract<PullEvent, { type: 'layer' }>;

/*
 * The latest state of one pull: what it resolved to and each layer's last event. A client that
 * joins a pull already under way is sent `replay()` first, so it draws the same lines as the
 * client that started it. Small by design: it travels with every progress update.
 */
export interface PullState {
  resolved?: ResolvedEvent;
  layers: LayerEvent[];
}

export function emptyState(): PullState {
  return { layers: [] };
}

export function applyEvent(state: PullState, event: PullEvent): PullState {
  if (event.type === 'resolved') return { resolved: event, layers: [] };
  if (event.type === 'done') return state;
  const layers = state.layers.filter((l) => l.id !== event.id);
  const index = state.layers.findIndex((l) => l.id === event.id);
  layers.splice(index === -1 ? layers.length : index, 0, event);
  return { ...state, layers };
}

export function replay(state: PullState): PullEvent[] {
  return state.resolved ? [state.resolved, ...state.layers] : [...state.layers];
}

// Progress read back from Redis is untrusted JSON: anything not shaped like a state is ignored.
export function isPullState(value: unknown): value is PullState {
  return typeof value === 'object' && value !== null && Array.isArray((value as PullState).layers);
}
