export * from './address';
export * from './status-map';
export * from './server';
export * from './client';
export * from './health';
export * from './proxy';
