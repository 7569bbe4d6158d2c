import type { ContainerService } from '@berth/daemon-core';
import type { daemon } from '@berth/proto';
import type { ImageStoreClient } from './image-store-client';

// docker system df: the image store's figures, each image's container count, and each
// container with the size of its writable layer.
export async function diskUsage(containers: ContainerService, images: ImageStoreClient): Promise<daemon.DiskUsageResponse> {
  const [usage, list] = await Promise.all([images.diskUsage(), containers.list({ all: true, filters: [] })]);
  // A snapshot's size is its upper directory walked, which only a single-snapshot get does.
  const sizes = new Map(await Promise.all(list.map(async (c) => [c.id, await images.getSnapshot(c.id).then((s) => s.size, () => 0)] as const)));
  const users = new Map<string, number>();
  for (const c of list) users.set(c.imageId, (users.get(c.imageId) ?? 0) + 1);
  return {
    layersSize: usage.layersSize,
    images: usage.images.map(({ image, sharedSize }) => ({ image, sharedSize, containers: users.get(image?.id ?? '') ?? 0 })),
    containers: list.map((c) => ({ ...c, sizeRw: sizes.get(c.id) ?? 0 })),
  };
}

// Containers docker counts as running for rmi (paused ones too).
export async function runningContainerIds(containers: ContainerService): Promise<string[]> {
  return (await containers.list({ all: true, filters: [] })).filter((c) => c.state?.running === true).map((c) => c.id);
}
