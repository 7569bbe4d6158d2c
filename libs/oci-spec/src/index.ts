export * from './oci-types';
export * from './input';
export { buildSpec, OCI_VERSION } from './build-spec';
export {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  capabilityMask,
  capabilitiesFromMask,
  normalizeCapabilities,
} from './capabilities';
export {
  defaultMounts,
  defaultMaskedPaths,
  defaultReadonlyPaths,
  defaultDeviceRules,
  defaultNamespaces,
  defaultNetworkSysctls,
  DEFAULT_SHM_SIZE_BYTES,
} from './defaults';
export { defaultEnv, DEFAULT_PATH } from './env';
export { toLinuxResources, CPU_PERIOD_US, MIN_MEMORY_BYTES } from './resources';
export { toPosixRlimits, RLIM_INFINITY } from './rlimits';
export { serializeProcess, serializeSpec } from './serialize';
export type {
  DockerSeccompProfile,
  DockerSeccompRule,
  SeccompFilter,
  SeccompArchMapEntry,
} from './seccomp-profile';
export { parseDockerSeccompProfile } from './seccomp-profile';
export { toOciSeccomp, type SeccompTarget } from './seccomp';
export { resolveUser } from './user';
// Signal names live in @berth/signals, shared with the daemon; re-exported for the runtime.
export { parseSignal, signalName, SIGNALS } from '@berth/signals';
