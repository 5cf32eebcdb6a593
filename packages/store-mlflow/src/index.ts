export { type CheckReachableOptions, checkReachable } from './check-reachable.js';
export { AUTH_HINT, MlflowServerError, TLS_HINT } from './errors.js';
export type { FetchLike } from './http-client.js';
export type { MlflowServerStoreOptions } from './options.js';
export { encodeSpans } from './otlp-spans.js';
export { MlflowServerStore, mlflowServerStore } from './server-store.js';
export { LOG_BATCH_LIMITS, splitLogBatch } from './store/log-batch.js';
