export { AUTH_HINT, MlflowServerError, TLS_HINT } from './errors.js';
export type { FetchLike } from './http-client.js';
export type { MlflowServerStoreOptions } from './options.js';
export { encodeSpans } from './otlp-spans.js';
export {
  LOG_BATCH_LIMITS,
  MlflowServerStore,
  mlflowServerStore,
  splitLogBatch,
} from './server-store.js';
