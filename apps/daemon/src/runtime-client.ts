import type { RuntimePort } from '@berth/daemon-core';
import { connect, unaryCall } from '@berth/grpc-kit';
import { runtime, type types } from '@berth/proto';

// The runtime shim, reached over gRPC, as the daemon's RuntimePort.
export class RuntimeClient implements RuntimePort {
  readonly client: runtime.RuntimeServiceClient;

  constructor(address: string) {
    this.client = connect(runtime.RuntimeServiceClient, address);
  }

  create(spec: runtime.ContainerSpec): Promise<runtime.ContainerState> {
    return unaryCall(this.client, 'create', { spec }, { timeoutMs: 60_000 });
  }

  start(id: string): Promise<runtime.ContainerState> {
    return unaryCall(this.client, 'start', { id });
  }

  async kill(id: string, signal: number): Promise<void> {
    await unaryCall(this.client, 'kill', { id, signal });
  }

  async delete(id: string, force: boolean): Promise<void> {
    await unaryCall(this.client, 'delete', { id, force }, { timeoutMs: 60_000 });
  }

  state(id: string): Promise<runtime.ContainerState> {
    return unaryCall(this.client, 'state', { id });
  }

  async list(): Promise<runtime.ContainerState[]> {
    return (await unaryCall(this.client, 'list', {})).containers;
  }

  wait(id: string, signal?: AbortSignal): Promise<types.ExitStatus> {
    return unaryCall(this.client, 'wait', { id }, { timeoutMs: 0, signal });
  }

  async pause(id: string): Promise<void> {
    await unaryCall(this.client, 'pause', { id });
  }

  async resume(id: string): Promise<void> {
    await unaryCall(this.client, 'resume', { id });
  }

  async resize(id: string, size: types.TerminalSize): Promise<void> {
    await unaryCall(this.client, 'resize', { id, size });
  }

  top(request: types.TopRequest): Promise<types.TopResponse> {
    return unaryCall(this.client, 'top', request);
  }

  close(): void {
    this.client.close();
  }
}
