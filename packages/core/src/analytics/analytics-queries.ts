import type { Assessment } from '../model/assessment.js';

/**
 * The analytics port: the aggregates its pages show, over a time range of traces.
 * The `TrackingStore` port has no aggregates, so a store that can compute them where the data
 * lives (SQLite: `sqliteAnalytics(store)` from @graphtrace/store-sqlite, GROUP BY over MLflow's
 * indexed tables) provides this; any other store gets the dashboard's `scanQueries(store)`, which pages
 * through `searchTraces` in bounded windows and says how much it looked at (`coverage`).
 */
export interface AnalyticsQueries {
  /** `sql`: computed by the database over every matching trace; `scan`: paged through the store. */
  readonly kind: 'sql' | 'scan';
  /** One line saying what computes the aggregates, for logs and `/api/health`. */
  readonly description: string;
  /** Trace counts and time span per experiment (all experiments with traces when omitted). */
  experimentStats(experimentIds?: string[]): Promise<ExperimentTraceStats[]>;
  countTraces(scope: CountScope): Promise<TraceCount>;
  /** Traces per interval, latency percentiles, errors, tokens and agent calls, by bucket. */
  timeseries(scope: QueryScope, bucketMs: number): Promise<TimeseriesResult>;
  /** Per tool (TOOL spans by name): calls, errors, latency, slowest and failing calls. */
  tools(scope: QueryScope, options: { examples: number }): Promise<ToolsResult>;
  /** Sessions (`mlflow.trace.session`) with traces in the range, most recently active first. */
  sessions(scope: QueryScope, page: { limit: number; offset: number }): Promise<SessionsResult>;
  /** Assessments created in the range, aggregated per name and kind. */
  assessmentSummary(scope: QueryScope): Promise<AssessmentSummaryResult>;
  /** The newest assessments created in the range. */
  recentAssessments(
    scope: QueryScope,
    options: { limit: number; name?: string },
  ): Promise<RecentAssessmentsResult>;
  /** Releases what the implementation opened (not the store). */
  close?(): Promise<void>;
}

export interface CountScope {
  experimentIds: string[];
  /** MLflow trace filter (`attributes.status = 'ERROR' AND tags.env = 'prod'`). */
  filter?: string;
}

export interface QueryScope extends CountScope {
  /** ms since epoch, inclusive (trace request time; assessment creation time for assessments). */
  from: number;
  /** ms since epoch, exclusive. */
  to: number;
}

/** How many traces the figures come from. */
export interface Coverage {
  traces: number;
  /** false: a scan stopped at its bound, and the figures describe only the newest `traces`. */
  complete: boolean;
}

export interface ExperimentTraceStats {
  experimentId: string;
  traces: number;
  /** false: at least `traces` (a scan stopped counting at its bound). */
  tracesExact: boolean;
  /** ms since epoch */
  firstTraceTime: number | null;
  lastTraceTime: number | null;
}

export interface TraceCount {
  count: number;
  /** false: at least `count` (a scan stopped at its bound). */
  exact: boolean;
}

export interface TimeseriesPoint {
  /** Bucket start, ms since epoch. Only buckets with traces are listed. */
  start: number;
  traces: number;
  errors: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  inputTokens: number;
  outputTokens: number;
  /** Sums over the traces that carry graphtrace's per-trace agent counters (or whose spans were counted). */
  llmCalls: number;
  toolCalls: number;
  /** Traces the two sums above cover: divide by it for calls per trace. */
  tracesWithCalls: number;
}

/** A point's figures over the whole range. */
export type TimeseriesTotals = Omit<TimeseriesPoint, 'start'>;

/** The figures of a bucket, or a range, without traces. */
export function emptyTimeseriesTotals(): TimeseriesTotals {
  return {
    traces: 0,
    errors: 0,
    latencyP50Ms: null,
    latencyP95Ms: null,
    inputTokens: 0,
    outputTokens: 0,
    llmCalls: 0,
    toolCalls: 0,
    tracesWithCalls: 0,
  };
}

export interface TimeseriesResult {
  bucketMs: number;
  points: TimeseriesPoint[];
  totals: TimeseriesTotals;
  coverage: Coverage;
}

/** One call of a tool, to link to its trace. */
export interface ToolCallRef {
  traceId: string;
  spanId: string;
  /** When the call started, ms since epoch. */
  time: number;
  durationMs: number | null;
  /** The span's status message when the call failed. */
  error: string | null;
}

export interface ToolStats {
  name: string;
  calls: number;
  errors: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyMaxMs: number | null;
  /** Longest calls, longest first. */
  slowest: ToolCallRef[];
  /** Most recent failed calls, newest first. */
  failing: ToolCallRef[];
}

export interface ToolsResult {
  /** Most called first. */
  tools: ToolStats[];
  coverage: Coverage;
}

export interface SessionSummary {
  session: string;
  traces: number;
  errors: number;
  /** ms since epoch: the first trace's start and the last trace's end. */
  firstTime: number;
  lastTime: number;
  inputTokens: number;
  outputTokens: number;
  /** `mlflow.trace.user` of the session's traces (one of them when several). */
  user: string | null;
}

export interface SessionsResult {
  sessions: SessionSummary[];
  /** Sessions in the range. */
  total: number;
  coverage: Coverage;
}

export interface AssessmentNameSummary {
  name: string;
  kind: 'feedback' | 'expectation';
  count: number;
  /** Numeric values (scores). */
  numeric: { count: number; mean: number; min: number; max: number } | null;
  /** Boolean values (thumbs up / down). */
  booleans: { true: number; false: number } | null;
  /** The most frequent string values. */
  labels: { value: string; count: number }[];
  /** Feedback that carries an error instead of a value (a judge that failed). */
  errors: number;
  /** ms since epoch */
  lastTime: number;
}

export interface AssessmentSummaryResult {
  names: AssessmentNameSummary[];
  coverage: Coverage;
}

export interface RecentAssessmentsResult {
  assessments: (Assessment & { traceName: string | null })[];
  coverage: Coverage;
}

/** What the trace list sorts by beyond MLflow's `order_by`: `mlflow.trace.cost` / `tokenUsage`. */
export type TraceSortKey = 'total_cost' | 'total_tokens';

/** A trace's place in such an order: the last row of a page is where the next one starts. */
export interface TraceOrderPosition {
  traceId: string;
  /** ms since epoch */
  time: number;
  /** USD or tokens; null when the trace has none (such traces come last, newest first). */
  value: number | null;
}

/**
 * A page of the trace list in such an order (the dashboard's scan and `sqliteAnalytics` answer
 * it): pages follow by keyset (value, time, id), so none repeats or skips a trace.
 */
export interface OrderedTracesQuery {
  /** Experiments and MLflow filter (the list's time range is filter terms). */
  scope: CountScope;
  /** The list's search box: a phrase in the request or response preview, or a trace id. */
  text?: string;
  key: TraceSortKey;
  descending: boolean;
  /** The previous page's last row; null for the first page. */
  after: TraceOrderPosition | null;
  limit: number;
}

export interface OrderedTracesPage {
  rows: TraceOrderPosition[];
  /** More traces follow the last row. */
  more: boolean;
  /** A scan's window (the newest traces of the scope it read); absent: every matching trace. */
  coverage?: Coverage;
}
