export * from './apply-layer';
export * from './decompress';
export { cleanComponents, resolveInRoot } from '@berth/scoped-fs';
