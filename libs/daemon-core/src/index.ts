export * from './ports';
export * from './container-record';
export * from './record-store';
export * from './container-service';
export * from './container-plan';
export * from './names';
export * from './state-view';
export * from './security-options';
