export * from './auth';
export * from './endpoints';
export * from './manifest';
export * from './media-types';
export * from './platform';
export * from './registry-client';
export * from './remote';
export { TransientError, type RetryPolicy } from './retry';
