import type {
  AnalyticsQueries,
  Assessment,
  Coverage,
  OrderedTracesPage,
  OrderedTracesQuery,
  QueryScope,
  TraceOrderPosition,
  TraceSortKey,
} from '@graphtrace/core';

// The trace list's order types are core's (sqliteAnalytics answers the same query); the
// package exports them from here as before.
export type { OrderedTracesPage, OrderedTracesQuery, TraceOrderPosition, TraceSortKey };

/**
 * The dashboard's analytics port: core's (whose result types are core's too), plus the cost
 * aggregates, which an implementation may leave out: the dashboard then computes them by a
 * bounded scan of the store (`costQueries`), so `sqliteAnalytics` works unchanged.
 */
export type DashboardQueries = AnalyticsQueries & Partial<CostQueries> & Partial<TraceListQueries>;

/** What LLM calls cost, in USD (`mlflow.llm.cost` / `mlflow.trace.cost`, summed). */
export interface CostUsd {
  input: number;
  output: number;
  total: number;
}

/** Traces of a bucket (or range) and what the priced ones cost. */
export interface CostFigures {
  traces: number;
  /** Traces with a `mlflow.trace.cost`: the only ones `cost` sums. */
  pricedTraces: number;
  /** null when no trace was priced (never 0 for "unknown"). */
  cost: CostUsd | null;
}

export interface CostPoint extends CostFigures {
  /** Bucket start, ms since epoch. Only buckets with traces are listed. */
  start: number;
}

export interface CostTimeseriesResult {
  bucketMs: number;
  points: CostPoint[];
  totals: CostFigures;
  coverage: Coverage;
}

/** One model (and provider): the model spans that name it (`mlflow.llm.model`). */
export interface ModelCost {
  model: string;
  provider: string | null;
  calls: number;
  /** Calls with a `mlflow.llm.cost`: `cost` and `costPerCall` are over them only. */
  pricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cost: CostUsd | null;
  /** USD per priced call. */
  costPerCall: number | null;
}

export interface ModelCostsResult {
  /** Most expensive first, then unpriced ones by calls. */
  models: ModelCost[];
  coverage: Coverage;
}

export interface CostQueries {
  /** Trace costs (`mlflow.trace.cost`) summed per bucket of the range. */
  costTimeseries(scope: QueryScope, bucketMs: number): Promise<CostTimeseriesResult>;
  /** Model calls per model and provider: calls, tokens, cost, from the spans. */
  modelCosts(scope: QueryScope): Promise<ModelCostsResult>;
}

/**
 * The trace list's queries beyond the store's `searchTraces`: an order by cost or tokens, and
 * the failed tool calls and the assessments of a page's traces. `sqliteAnalytics` answers them by SQL; without
 * them the dashboard uses `traceListScan(store)`.
 */
export interface TraceListQueries {
  orderedTraces(query: OrderedTracesQuery): Promise<OrderedTracesPage>;
  /** Failed TOOL spans per trace of `traceIds` (traces without any may be left out). */
  failedToolCalls(traceIds: readonly string[]): Promise<Record<string, number>>;
  /** The assessments of each of `traceIds`, oldest first (traces without any may be left out). */
  assessmentsOf(traceIds: readonly string[]): Promise<Record<string, Assessment[]>>;
}
