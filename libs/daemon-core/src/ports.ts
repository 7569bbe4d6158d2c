import type { imagestore, runtime, types } from '@berth/proto';

// What the daemon needs from the image store. The daemon app implements it over gRPC; tests use
// fakes.
export interface ImageStorePort {
  get(reference: string): Promise<types.Image>;
  list(all: boolean): Promise<types.Image[]>;
  remove(request: imagestore.RemoveImageRequest): Promise<imagestore.RemoveImageResponse>;
  tag(source: string, target: string): Promise<void>;
  // image: an image ID, or a reference as get takes it.
  prepareSnapshot(key: string, image: string): Promise<imagestore.Snapshot>;
  getSnapshot(key: string): Promise<imagestore.Snapshot>;
  removeSnapshot(key: string): Promise<void>;
  listSnapshots(): Promise<imagestore.Snapshot[]>;
}

// A create that also starts the container (docker run); holdOutput keeps its output for the
// attach that follows, so that no byte is lost to the start coming before the attach.
export interface CreateStart {
  start: boolean;
  holdOutput: boolean;
}

// What the daemon needs from the runtime shim.
export interface RuntimePort {
  create(spec: runtime.ContainerSpec, options?: CreateStart): Promise<runtime.ContainerState>;
  start(id: string): Promise<runtime.ContainerState>;
  kill(id: string, signal: number): Promise<void>;
  delete(id: string, force: boolean): Promise<void>;
  state(id: string): Promise<runtime.ContainerState>;
  list(): Promise<runtime.ContainerState[]>;
  wait(id: string, signal?: AbortSignal): Promise<types.ExitStatus>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  resize(id: string, size: types.TerminalSize): Promise<void>;
  top(request: types.TopRequest): Promise<types.TopResponse>;
}

export interface ContainerEvent {
  action: string;
  id: string;
  attributes: Record<string, string>;
}

// Where container events go (Redis in the daemon app). Emitting never fails the caller.
export interface EventSink {
  emit(event: ContainerEvent): void;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
