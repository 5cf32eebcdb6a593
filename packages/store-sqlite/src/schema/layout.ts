import { isAtOrAfter } from './revisions.js';

/**
 * What a revision changes in the rows a tracking store writes and reads: the store writes each
 * database in the layout of its own revision, as the MLflow release of that revision does.
 */
export interface SchemaLayout {
  revision: string;
  /**
   * 3.10–3.16: span model and provider in `spans.dimension_attributes`, span costs in
   * `span_metrics`, trace costs in the `mlflow.trace.cost` metadata.
   */
  spanMetrics: boolean;
  /** 3.12+: start_trace stamps the `mlflow.trace.infoFinalized` metadata. */
  infoFinalized: boolean;
  /** 3.13+: `trace_info.db_payload_generation` counts writes of a trace's spans. */
  payloadGeneration: boolean;
  /**
   * 3.17+: trace name, session, tokens and costs are `trace_info` / `spans` columns (no tag,
   * metadata or trace_metrics rows), assessments carry analytics columns, and writes to old days
   * queue rollup rebuilds.
   */
  traceAnalytics: boolean;
  /** 3.14+: deleting a trace deletes its `review_queue_items`. */
  reviewQueue: boolean;
  /** Token usage keys start_trace mirrors into `trace_metrics` ([] from 3.17). */
  tokenMetricKeys: readonly string[];
}

const TOKEN_KEYS_3_9 = ['input_tokens', 'output_tokens', 'total_tokens'] as const;
const TOKEN_KEYS_3_10 = [
  ...TOKEN_KEYS_3_9,
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
] as const;

/** The layout of a revision graphtrace knows. */
export function layoutOf(revision: string): SchemaLayout {
  const traceAnalytics = isAtOrAfter(revision, '75868b020152');
  const from310 = isAtOrAfter(revision, 'd0e1f2a3b4c5');
  return {
    revision,
    spanMetrics: isAtOrAfter(revision, 'c8d9e0f1a2b3') && !traceAnalytics,
    // 3.12 changed start_trace without a schema change: its first revision marks it.
    infoFinalized: isAtOrAfter(revision, 'a5b4c3d2e1f0'),
    payloadGeneration: isAtOrAfter(revision, 'da6fb0208061'),
    traceAnalytics,
    reviewQueue: isAtOrAfter(revision, 'b7e4c1a90f23'),
    tokenMetricKeys: traceAnalytics ? [] : from310 ? TOKEN_KEYS_3_10 : TOKEN_KEYS_3_9,
  };
}
