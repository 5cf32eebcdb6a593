import type { Assessment, NewAssessment } from '../model/assessment.js';
import type { Experiment } from '../model/experiment.js';
import type { Metric, Param, Run, RunInfo, RunStatus, RunTag } from '../model/run.js';
import type { Span } from '../model/span.js';
import type { Trace, TraceInfo } from '../model/trace.js';

/** What a store can do; the conformance suite skips what a store declares it cannot. */
export interface StoreCapabilities {
  /** Data survives the process (SQLite, a server). */
  readonly persistent: boolean;
  /** `deleteTraces` is implemented. */
  readonly deleteTraces: boolean;
  /** `createAssessment` / `getAssessments` are implemented. */
  readonly assessments: boolean;
  /** `searchRuns` / `searchExperiments` accept filters. */
  readonly searchRunsFilter: boolean;
  /**
   * `logSpans` and `startTrace` return without blocking the caller's thread (a writer thread
   * does the work) and are applied in call order even when called before earlier calls settle.
   * The span pipeline then hands each finished trace over at once instead of batching it on a
   * timer. Absent means false.
   */
  readonly pipelinedTraceWrites?: boolean;
}

/**
 * Options of a trace write. A store that waits on something remote stops waiting when the
 * signal aborts (the write then fails with STORE_UNAVAILABLE); a local store may ignore it.
 */
export interface WriteOptions {
  signal?: AbortSignal;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. null on the last page. */
  nextPageToken: string | null;
}

export interface CreateRunInput {
  experimentId: string;
  runName?: string;
  /** ms since epoch; defaults to now. */
  startTime?: number;
  userId?: string;
  tags?: RunTag[];
  /** Provided by the caller for reproducible ids; a 32-hex id is generated otherwise. */
  runId?: string;
}

export interface UpdateRunInput {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface LogBatchInput {
  params?: Param[];
  metrics?: Metric[];
  tags?: RunTag[];
}

export interface SearchRunsQuery {
  experimentIds: string[];
  /** MLflow filter syntax: `params.lr = '0.1' AND metrics.acc > 0.9 AND tags.env = 'prod'`. */
  filter?: string;
  /** e.g. `['metrics.acc DESC', 'attributes.start_time ASC']`. Default: start_time DESC. */
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string | null;
}

export interface SearchTracesQuery {
  experimentIds: string[];
  /** MLflow filter syntax: `attributes.status = 'OK' AND tags.env = 'prod'`. */
  filter?: string;
  /** e.g. `['timestamp_ms DESC']` (the default). */
  orderBy?: string[];
  /** Default 100. */
  maxResults?: number;
  pageToken?: string | null;
}

export interface SearchTracesResult {
  traces: TraceInfo[];
  nextPageToken: string | null;
}

export interface SearchRunsResult {
  runs: Run[];
  nextPageToken: string | null;
}

export interface DeleteTracesInput {
  experimentId: string;
  /** Delete exactly these traces ... */
  traceIds?: string[];
  /** ... or the oldest traces with request_time <= this (ms), at most `maxTraces` of them. */
  maxTimestampMillis?: number;
  maxTraces?: number;
}

/**
 * The port every store implements: a small async subset of MLflow's tracking store, named
 * after MLflow's client in camelCase. Implementations: `memoryStore()` (core),
 * `sqliteStore()` (@graphtrace/store-sqlite), `mlflowServerStore()` (@graphtrace/store-mlflow).
 * Every implementation runs the conformance suite in `@graphtrace/core/testing`.
 *
 * Errors: methods reject with a `GraphtraceError` carrying a `code`; lookups of something
 * absent resolve to `null` instead.
 */
export interface TrackingStore {
  /** A human-readable location for messages: `memory:`, `sqlite:///mlflow.db`, `http://…`. */
  readonly uri: string;
  readonly capabilities: StoreCapabilities;

  // Experiments
  /** Returns the active experiment with that name, creating it when absent. */
  getOrCreateExperiment(
    name: string,
    options?: { tags?: Record<string, string> },
  ): Promise<Experiment>;
  getExperiment(experimentId: string): Promise<Experiment | null>;
  getExperimentByName(name: string): Promise<Experiment | null>;
  /** Active experiments, by name. */
  searchExperiments(query?: {
    maxResults?: number;
    pageToken?: string | null;
  }): Promise<Page<Experiment>>;

  // Runs
  createRun(input: CreateRunInput): Promise<Run>;
  updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo>;
  /** Params are write-once: logging a different value for an existing key is rejected. */
  logBatch(runId: string, batch: LogBatchInput): Promise<void>;
  getRun(runId: string): Promise<Run | null>;
  searchRuns(query: SearchRunsQuery): Promise<SearchRunsResult>;
  /** Every observation of the metric, ordered as MLflow does: timestamp, step, value. */
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;

  // Traces
  /**
   * Writes the trace info (MLflow's StartTraceV3, which carries the complete info when a
   * trace ends). Upsert: tags and metadata are merged, other fields replaced.
   */
  startTrace(info: TraceInfo, options?: WriteOptions): Promise<TraceInfo>;
  /**
   * Writes spans of one or more traces of that experiment. Spans may arrive before the trace
   * info (a store then records the trace as IN_PROGRESS); writing the same span twice keeps one.
   */
  logSpans(experimentId: string, spans: readonly Span[], options?: WriteOptions): Promise<void>;
  getTraceInfo(traceId: string): Promise<TraceInfo | null>;
  getTrace(traceId: string): Promise<Trace | null>;
  searchTraces(query: SearchTracesQuery): Promise<SearchTracesResult>;
  setTraceTag(traceId: string, key: string, value: string): Promise<void>;
  /** Returns the number of traces deleted. */
  deleteTraces(input: DeleteTracesInput): Promise<number>;

  // Assessments
  createAssessment(assessment: NewAssessment): Promise<Assessment>;
  getAssessments(traceId: string): Promise<Assessment[]>;

  /** Releases connections and files. Further calls are undefined. */
  close(): Promise<void>;
}
