/**
 * `@graphtrace/core/store-kit`: what stores, analytics implementations and the tools over them
 * share (MLflow's filter evaluation, page tokens, span JSON, preview and copy rules). Apps use
 * `@graphtrace/core`; this entry is for authors of a `TrackingStore` or a tool reading one.
 */
export { emptyTimeseriesTotals } from './analytics/analytics-queries.js';
export type {
  FilterComparison,
  FilterDomain,
  FilterEntity,
  FilterExpression,
  FilterOp,
  FilterValue,
  OrderByTerm,
} from './filter/ast.js';
export {
  comparator,
  compareValue,
  likeToRegExp,
  matches,
  runValue,
  traceValue,
} from './filter/evaluate.js';
export {
  decodeOffsetToken,
  decodePageToken,
  encodeOffsetToken,
  encodePageToken,
} from './filter/page-token.js';
export {
  base64ToHex,
  hexToBase64,
  mlflowSpanEncoder,
  spanFromMlflowJson,
  spanToMlflowJson,
} from './mlflow/span-json.js';
export { truncatePreview } from './model/keys.js';
export { spanFields, spanRecord } from './model/span.js';
export { copyTrace, countTraces } from './resilience/index.js';
