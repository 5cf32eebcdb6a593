export {
  DEFAULT_PRECHECK_TIMEOUT_MS,
  type FallbackStore,
  type FallbackStoreOptions,
  fallbackStore,
  type ResilientMode,
} from './fallback-store.js';
export {
  type ResilientStatus,
  type ResilientStore,
  type ResilientStoreOptions,
  resilientStore,
} from './resilient-store.js';
export {
  type SpoolStatus,
  type SpoolWriter,
  type SpoolWriterOptions,
  spoolWriter,
} from './spool-writer.js';
export {
  copyTrace,
  countTraces,
  isUnavailable,
  type SyncSpoolOptions,
  type SyncSpoolResult,
  syncSpool,
} from './sync-spool.js';
