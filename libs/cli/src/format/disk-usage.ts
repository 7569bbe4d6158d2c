import type { daemon } from '@berth/proto';
import { humanSize } from './size';

export type UsageRow = Record<string, string>;

// docker's RECLAIMABLE cell: the size, with its share of the total when there is one.
function reclaimable(bytes: number, total: number): string {
  return total > 0 ? `${humanSize(bytes, 4)} (${Math.trunc((bytes * 100) / total)}%)` : humanSize(bytes, 4);
}

// docker counts a container as active while it runs, is paused or restarts.
export function isActiveContainer(container: daemon.Container): boolean {
  return /running|paused|restarting/.test(container.state?.status ?? '');
}

// The four rows of docker system df: images (layers counted once; an image a container uses
// can only give back its unique part), containers (their writable layers), no volumes, no
// build cache.
export function diskUsageRows(usage: daemon.DiskUsageResponse): UsageRow[] {
  const activeImages = usage.images.filter((i) => i.containers > 0);
  const used = activeImages.reduce((sum, i) => sum + (i.image?.size ?? 0) - i.sharedSize, 0);
  const containersSize = usage.containers.reduce((sum, c) => sum + c.sizeRw, 0);
  const idleContainers = usage.containers.filter((c) => !isActiveContainer(c));
  const row = (type: string, total: number, active: number, size: string, reclaim: string): UsageRow => ({
    Active: String(active),
    Reclaimable: reclaim,
    Size: size,
    TotalCount: String(total),
    Type: type,
  });
  return [
    row('Images', usage.images.length, activeImages.length, humanSize(usage.layersSize, 4), reclaimable(usage.layersSize - used, usage.layersSize)),
    row(
      'Containers',
      usage.containers.length,
      usage.containers.length - idleContainers.length,
      humanSize(containersSize, 4),
      reclaimable(
        idleContainers.reduce((sum, c) => sum + c.sizeRw, 0),
        containersSize,
      ),
    ),
    row('Local Volumes', 0, 0, '0B', '0B'),
    row('Build Cache', 0, 0, '0B', '0B'),
  ];
}
