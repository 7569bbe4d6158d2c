export * from './events';
export * from './job-id';
export * from './progress-state';
export * from './coordinator';
export * from './connection';
export * from './bullmq-backend';
export * from './worker';
export * from './push-jobs';
