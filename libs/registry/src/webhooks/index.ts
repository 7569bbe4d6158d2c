export * from './model';
export * from './store';
export * from './deliver';
export * from './backoff';
export * from './service';
