export * from './system';
export { stackServices, type ServiceDefinition } from './services';
export type { ServiceStatus } from './supervisor';
export { hubEntry, runHub } from './hub';
export { DEFAULT_HUB_ADDR, hubAddress } from './hub-address';
