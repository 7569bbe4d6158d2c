export * from './digest';
export * from './content-store';
