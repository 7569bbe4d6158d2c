import type { ImageRecord } from './metadata-store';

export interface ImageSpace {
  record: ImageRecord;
  // Bytes of its layers that some other image also uses.
  sharedSize: number;
}

// docker system df's figures: every layer counted once in the total, and for each image the part
// of its size it shares with others (layers are identified by ChainID).
export function spaceUsage(images: readonly ImageRecord[]): { layersSize: number; images: ImageSpace[] } {
  const users = new Map<string, { size: number; count: number }>();
  for (const record of images) {
    for (const layer of new Map(record.layers.map((l) => [l.chainId, l])).values()) {
      const entry = users.get(layer.chainId) ?? { size: layer.size, count: 0 };
      entry.count += 1;
      users.set(layer.chainId, entry);
    }
  }
  const layersSize = [...users.values()].reduce((sum, entry) => sum + entry.size, 0);
  return {
    layersSize,
    images: images.map((record) => ({
      record,
      sharedSize: [...new Set(record.layers.map((l) => l.chainId))].reduce((sum, chainId) => {
        const entry = users.get(chainId);
        return entry !== undefined && entry.count > 1 ? sum + entry.size : sum;
      }, 0),
    })),
  };
}
