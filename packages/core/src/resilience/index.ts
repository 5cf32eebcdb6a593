export {
  type CheckReachableOptions,
  checkReachable,
  DEFAULT_PRECHECK_TIMEOUT_MS,
  isServerUri,
  type ReachabilityResult,
} from './check-reachable.js';
export {
  type ResilientMode,
  type ResilientStatus,
  type ResilientStore,
  type ResilientStoreOptions,
  resilientStore,
} from './resilient-store.js';
export {
  copyTrace,
  countTraces,
  isUnavailable,
  type SyncSpoolOptions,
  type SyncSpoolResult,
  syncSpool,
} from './sync-spool.js';
