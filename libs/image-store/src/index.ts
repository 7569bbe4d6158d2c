export * from './image-store';
export * from './oci';
export * from './changes';
export type { SnapshotInfo } from './snapshotter';
export type { PullOptions, PullResult } from './pull';
export * from './pull-progress';
export type { LoadedImage } from './load';
export type { PushOptions, PushResult, PushProgress, PushListener, PushLayerStatus } from './push';
// The threads that unpack big layers outlive a pull (see @berth/archive); a process ends them so.
export { closeUnpackThreads } from '@berth/archive';
