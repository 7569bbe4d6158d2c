import type { ImageStorePort } from '@berth/daemon-core';
import { connect, unaryCall } from '@berth/grpc-kit';
import { imagestore, type types } from '@berth/proto';

// The image store, reached over gRPC, as the daemon's ImageStorePort.
export class ImageStoreClient implements ImageStorePort {
  readonly client: imagestore.ImageStoreServiceClient;

  constructor(address: string) {
    this.client = connect(imagestore.ImageStoreServiceClient, address);
  }

  get(reference: string): Promise<types.Image> {
    return unaryCall(this.client, 'get', { reference });
  }

  async list(all: boolean): Promise<types.Image[]> {
    return (await unaryCall(this.client, 'list', { all })).images;
  }

  remove(request: imagestore.RemoveImageRequest): Promise<imagestore.RemoveImageResponse> {
    return unaryCall(this.client, 'remove', request, { timeoutMs: 120_000 });
  }

  async tag(source: string, target: string): Promise<void> {
    await unaryCall(this.client, 'tag', { source, target });
  }

  prepareSnapshot(key: string, imageId: string): Promise<imagestore.Snapshot> {
    return unaryCall(this.client, 'prepareSnapshot', { key, imageId });
  }

  getSnapshot(key: string): Promise<imagestore.Snapshot> {
    return unaryCall(this.client, 'getSnapshot', { key });
  }

  async removeSnapshot(key: string): Promise<void> {
    await unaryCall(this.client, 'removeSnapshot', { key }, { timeoutMs: 120_000 });
  }

  async listSnapshots(): Promise<imagestore.Snapshot[]> {
    return (await unaryCall(this.client, 'listSnapshots', {})).snapshots;
  }

  close(): void {
    this.client.close();
  }
}
