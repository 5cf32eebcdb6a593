import type { AnalyticsQueries, Coverage, QueryScope } from '@graphtrace/core';

/**
 * The dashboard's analytics port: core's (whose result types are core's too), plus the cost
 * aggregates, which an implementation may leave out: the dashboard then computes them by a
 * bounded scan of the store (`costQueries`), so `sqliteAnalytics` works unchanged.
 */
export type DashboardQueries = AnalyticsQueries & Partial<CostQueries>;

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
