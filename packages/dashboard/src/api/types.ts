/*
 * The JSON the dashboard's HTTP API answers with. The web app imports these types (types
 * only), so a change here that the app does not follow fails its typecheck.
 */

import type {
  AssessmentNameSummary,
  AssessmentSource,
  Coverage,
  SessionSummary,
  StoreCapabilities,
  TimeseriesPoint,
  TimeseriesTotals,
  TraceState,
} from '@graphtrace/core';
import type { ToolStatsView } from '../queries/tool-arguments.js';
import type { TurnToolCall } from '../queries/turn-tools.js';
import type { CostFigures, CostPoint, CostUsd, ModelCost } from '../queries/types.js';

export type {
  AssessmentNameSummary,
  Coverage,
  SessionSummary,
  TimeseriesPoint,
  TimeseriesTotals,
  ToolCallRef,
  ToolStats,
} from '@graphtrace/core';
export type { ApiErrorBody } from '../errors.js';
export type { ToolCallView, ToolStatsView } from '../queries/tool-arguments.js';
export type { TurnToolCall } from '../queries/turn-tools.js';
export type { CostFigures, CostPoint, CostUsd, ModelCost } from '../queries/types.js';

export interface HealthResponse {
  ok: true;
  /** @graphtrace/dashboard version. */
  version: string;
  store: { uri: string; capabilities: StoreCapabilities };
  analytics: { kind: 'sql' | 'scan'; description: string };
  /** Server time, ms since epoch (the app's time ranges are relative to it). */
  now: number;
  /** Who new feedback is attributed to by default (the OS user running the dashboard). */
  user: string;
}

export interface ExperimentSummary {
  experimentId: string;
  name: string;
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: Record<string, string>;
  traces: number;
  /** false: at least `traces` (counted by a bounded scan). */
  tracesExact: boolean;
  firstTraceTime: number | null;
  lastTraceTime: number | null;
}

export interface ExperimentsResponse {
  experiments: ExperimentSummary[];
  /** The experiment with the most recent trace (else the first one). */
  defaultExperimentId: string | null;
}

export interface TokenCounts {
  /** Every input token, cached ones included. */
  input: number;
  output: number;
  total: number;
  /** The part of `input` read from the provider's prompt cache, when recorded. */
  cacheRead?: number;
  /** The part of `input` written to the prompt cache, when recorded. */
  cacheCreation?: number;
}

/** One trace in a list. */
export interface TraceRow {
  traceId: string;
  experimentId: string;
  name: string | null;
  /** ms since epoch */
  time: number;
  durationMs: number | null;
  state: TraceState;
  tokens: TokenCounts | null;
  /** `mlflow.trace.cost`; null when no model of the trace has a known price (not $0). */
  cost: CostUsd | null;
  session: string | null;
  user: string | null;
  runId: string | null;
  /** The trace's own tags (not MLflow's `mlflow.*` bookkeeping). */
  tags: Record<string, string>;
  /** At most 300 characters. */
  requestPreview: string | null;
  responsePreview: string | null;
  llmCalls: number | null;
  toolCalls: number | null;
  /**
   * A LangGraph invocation paused by an interrupt, or resuming one (`Command({ resume })`), as
   * autolog marks them; null for other traces. `resumedFrom` is the paused trace, when known.
   */
  pause: { interrupted: boolean; resumed: boolean; resumedFrom: string | null } | null;
}

/** An assessment of a trace as the list shows it (the trace page has the whole of it). */
export interface AssessmentBrief {
  name: string;
  kind: 'feedback' | 'expectation';
  /** JSON value: true/false (thumbs), a number (score), a string (label), or other JSON. */
  value: unknown;
  /** The judge's error message, when it failed (then `value` is null). */
  error: string | null;
  rationale: string | null;
  /** `HUMAN`, `LLM_JUDGE` or `CODE`, and who. */
  source: string;
  /** Set when it is about one span rather than the whole trace. */
  spanId: string | null;
}

/** A row of `/api/traces`: a trace and what the list reads about it beyond its info. */
export interface TraceListRow extends TraceRow {
  /**
   * Failed TOOL spans: graphtrace's `graphtrace.agent.toolErrors` counter, else read from the
   * spans of an OK trace (the agent recovered). null when unknown: another SDK's trace that is
   * not OK, or one past the page's first 100 rows.
   */
  toolErrors: number | null;
  /** Valid assessments, oldest first (at most 20); null when the store has none or unread. */
  assessments: AssessmentBrief[] | null;
}

export interface TracesResponse {
  traces: TraceListRow[];
  nextPageToken: string | null;
  /** With `search`: trace infos read for this page, and whether the read limit stopped it. */
  search?: { scanned: number; limitReached: boolean };
  /**
   * With `orderBy` `total_cost` / `total_tokens` (which the store cannot sort by): who sorted,
   * and for a scan the window it sorted (the newest traces of the filter; `complete` false when
   * the bound cut it).
   */
  order?: {
    key: 'total_cost' | 'total_tokens';
    analytics: 'sql' | 'scan';
    coverage: Coverage | null;
  };
}

export interface TraceCountResponse {
  count: number;
  /** false: at least `count` (the store was scanned up to a bound). */
  exact: boolean;
}

export interface NewTracesResponse {
  /** Traces that started after `since` (at most 100 are counted). */
  count: number;
  capped: boolean;
  /** ms since epoch of the newest one. */
  newest: number | null;
}

export interface SpanEventView {
  name: string;
  /** ms from the trace's start */
  offsetMs: number;
  attributes: Record<string, unknown>;
}

export interface SpanView {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  spanType: string;
  /** ns since epoch, as decimal strings (they exceed 2^53). */
  startNs: string;
  endNs: string | null;
  /** ms from the trace's start */
  offsetMs: number;
  durationMs: number | null;
  status: { code: 'UNSET' | 'OK' | 'ERROR'; message?: string };
  /** `mlflow.spanInputs` / `mlflow.spanOutputs`; absent when not recorded. */
  inputs?: unknown;
  outputs?: unknown;
  /** Every other attribute. */
  attributes: Record<string, unknown>;
  events: SpanEventView[];
  /** Spans of this or other traces this span is linked to (not its parent). */
  links: SpanLinkView[];
  tokens: TokenCounts | null;
  model: string | null;
  /** `mlflow.llm.provider` */
  provider: string | null;
  /** `mlflow.llm.cost`; null when the call was not priced. */
  cost: CostUsd | null;
}

export interface SpanLinkView {
  traceId: string;
  spanId: string;
  attributes: Record<string, unknown> | null;
}

export interface AssessmentView {
  assessmentId: string;
  traceId: string;
  spanId: string | null;
  name: string;
  kind: 'feedback' | 'expectation';
  value: unknown;
  error: { errorCode: string; errorMessage?: string } | null;
  rationale: string | null;
  source: AssessmentSource;
  metadata: Record<string, string>;
  runId: string | null;
  createTime: number;
  lastUpdateTime: number;
  valid: boolean;
  traceName?: string | null;
  /** In lists (Quality): the trace's request preview and start, ms since epoch. */
  traceRequestPreview?: string | null;
  traceTime?: number | null;
}

export interface TraceDetailResponse {
  trace: TraceRow & {
    /** Full previews. */
    requestPreview: string | null;
    responsePreview: string | null;
    clientRequestId: string | null;
    metadata: Record<string, string>;
    /** Every tag, MLflow's included. */
    allTags: Record<string, string>;
  };
  /** In start order. */
  spans: SpanView[];
  assessments: AssessmentView[];
  /** Whether the store accepts new assessments. */
  canAssess: boolean;
}

export interface CreateAssessmentResponse {
  assessment: AssessmentView;
}

export interface RangeInfo {
  from: number;
  to: number;
  analytics: 'sql' | 'scan';
  coverage: Coverage;
}

export interface MetricsResponse extends RangeInfo {
  bucketMs: number;
  /** Every bucket of the range, empty ones included (zeros, null latencies). */
  points: TimeseriesPoint[];
  totals: TimeseriesTotals;
}

/** `/api/costs`: trace costs per bucket (the buckets of `/api/metrics` for the same query). */
export interface CostsResponse extends RangeInfo {
  bucketMs: number;
  /** Every bucket of the range; one without priced traces has `cost: null`. */
  points: CostPoint[];
  totals: CostFigures;
}

/** `/api/costs/models`: model calls per model and provider. */
export interface ModelCostsResponse extends RangeInfo {
  models: ModelCost[];
}

export interface ToolsResponse extends RangeInfo {
  tools: ToolStatsView[];
}

export interface SessionView extends SessionSummary {
  /** The first user message of the session's first trace in the range (≤ 200 characters). */
  firstInput: string | null;
}

export interface SessionsResponse extends RangeInfo {
  sessions: SessionView[];
  total: number;
  offset: number;
}

/** A turn of a session: its trace, and the tools it called. */
export interface SessionTraceRow extends TraceRow {
  /** TOOL spans in start order; null when the turn's spans were not read (past 200 turns). */
  tools: TurnToolCall[] | null;
}

export interface SessionTracesResponse {
  session: string;
  /** Oldest first. */
  traces: SessionTraceRow[];
  /** More than the 500 shown. */
  truncated: boolean;
}

export interface QualityResponse extends RangeInfo {
  names: AssessmentNameSummary[];
  recent: AssessmentView[];
  assessmentsSupported: boolean;
}

export interface MetricView {
  key: string;
  /** null for NaN and ±Infinity, which JSON cannot carry: see `text`. */
  value: number | null;
  text: string;
  step: number;
  timestamp: number;
}

export interface RunView {
  runId: string;
  runName: string;
  experimentId: string;
  status: string;
  userId: string;
  startTime: number;
  endTime: number | null;
  params: Record<string, string>;
  metrics: MetricView[];
  tags: Record<string, string>;
}

export interface RunsResponse {
  runs: RunView[];
  nextPageToken: string | null;
}

export interface RunResponse {
  run: RunView;
}

export interface MetricHistoryResponse {
  runId: string;
  key: string;
  history: MetricView[];
}
