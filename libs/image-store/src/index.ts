export * from './image-store';
export * from './oci';
export * from './changes';
export type { SnapshotInfo } from './snapshotter';
