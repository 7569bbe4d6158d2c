export * from './resolve-in-root';
export * from './read-file-in-root';
