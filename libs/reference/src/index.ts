export * from './reference';
export * from './digest';
export * from './image-id';
