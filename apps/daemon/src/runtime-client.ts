import type { CreateStart, RuntimePort } from '@berth/daemon-core';
import { connect, unaryCall } from '@berth/grpc-kit';
import { runtime, type types } from '@berth/proto';

const READY = { waitForReady: true };

// The runtime shim, reached over gRPC, as the daemon's RuntimePort.
export class RuntimeClient implements RuntimePort {
  readonly client: runtime.RuntimeServiceClient;

  constructor(address: string) {
    this.client = connect(runtime.RuntimeServiceClient, address);
  }

  create(spec: runtime.ContainerSpec, options?: CreateStart): Promise<runtime.ContainerState> {
    return unaryCall(this.client, 'create', { spec, start: options?.start ?? false, holdOutput: options?.holdOutput ?? false }, { timeoutMs: 60_000, waitForReady: true });
  }

  start(id: string): Promise<runtime.ContainerState> {
    return unaryCall(this.client, 'start', { id }, READY);
  }

  async kill(id: string, signal: number): Promise<void> {
    await unaryCall(this.client, 'kill', { id, signal }, READY);
  }

  async delete(id: string, force: boolean): Promise<void> {
    await unaryCall(this.client, 'delete', { id, force }, { timeoutMs: 60_000, waitForReady: true });
  }

  state(id: string): Promise<runtime.ContainerState> {
    return unaryCall(this.client, 'state', { id }, READY);
  }

  async list(): Promise<runtime.ContainerState[]> {
    return (await unaryCall(this.client, 'list', {}, READY)).containers;
  }

  wait(id: string, signal?: AbortSignal): Promise<types.ExitStatus> {
    return unaryCall(this.client, 'wait', { id }, { timeoutMs: 0, signal, waitForReady: true });
  }

  async pause(id: string): Promise<void> {
    await unaryCall(this.client, 'pause', { id }, READY);
  }

  async resume(id: string): Promise<void> {
    await unaryCall(this.client, 'resume', { id }, READY);
  }

  async resize(id: string, size: types.TerminalSize): Promise<void> {
    await unaryCall(this.client, 'resize', { id, size }, READY);
  }

  top(request: types.TopRequest): Promise<types.TopResponse> {
    return unaryCall(this.client, 'top', request, READY);
  }

  close(): void {
    this.client.close();
  }
}
