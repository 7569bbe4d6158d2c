export * from './apply-layer';
export * from './decompress';
export { layerTooLarge } from './size-limit';
export { cleanComponents } from '@berth/scoped-fs';
export { applyLayerOffThread, closeUnpackThreads, offThreadAvailable, unpackThreadCount, type OffThreadOptions } from './apply-off-thread';
