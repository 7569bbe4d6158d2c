export * from './apply-layer';
export * from './decompress';
export * from './scoped-path';
