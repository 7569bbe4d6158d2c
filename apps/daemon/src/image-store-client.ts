import type { ImageStorePort } from '@berth/daemon-core';
import { connect, unaryCall } from '@berth/grpc-kit';
import { imagestore, type types } from '@berth/proto';

const READY = { waitForReady: true };

// The image store, reached over gRPC, as the daemon's ImageStorePort.
export class ImageStoreClient implements ImageStorePort {
  readonly client: imagestore.ImageStoreServiceClient;

  constructor(address: string) {
    this.client = connect(imagestore.ImageStoreServiceClient, address);
  }

  get(reference: string): Promise<types.Image> {
    return unaryCall(this.client, 'get', { reference }, READY);
  }

  async list(all: boolean, filters: string[] = []): Promise<types.Image[]> {
    return (await unaryCall(this.client, 'list', { all, filters }, READY)).images;
  }

  prune(request: imagestore.PruneRequest): Promise<imagestore.PruneResponse> {
    return unaryCall(this.client, 'prune', request, { timeoutMs: 600_000, waitForReady: true });
  }

  diskUsage(): Promise<imagestore.DiskUsageResponse> {
    return unaryCall(this.client, 'diskUsage', {}, READY);
  }

  remove(request: imagestore.RemoveImageRequest): Promise<imagestore.RemoveImageResponse> {
    return unaryCall(this.client, 'remove', request, { timeoutMs: 120_000, waitForReady: true });
  }

  async tag(source: string, target: string): Promise<void> {
    await unaryCall(this.client, 'tag', { source, target }, READY);
  }

  prepareSnapshot(key: string, imageId: string): Promise<imagestore.Snapshot> {
    return unaryCall(this.client, 'prepareSnapshot', { key, imageId }, READY);
  }

  getSnapshot(key: string): Promise<imagestore.Snapshot> {
    return unaryCall(this.client, 'getSnapshot', { key }, READY);
  }

  async removeSnapshot(key: string): Promise<void> {
    await unaryCall(this.client, 'removeSnapshot', { key }, { timeoutMs: 120_000, waitForReady: true });
  }

  async listSnapshots(): Promise<imagestore.Snapshot[]> {
    return (await unaryCall(this.client, 'listSnapshots', {}, READY)).snapshots;
  }

  close(): void {
    this.client.close();
  }
}
