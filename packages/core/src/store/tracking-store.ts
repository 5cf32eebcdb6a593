import type { Assessment, NewAssessment } from '../model/assessment.js';
import type { Experiment } from '../model/experiment.js';
import type { Metric, Param, Run, RunInfo, RunStatus, RunTag } from '../model/run.js';
import type { Trace, TraceInfo } from '../model/trace.js';
import type { TraceWriter, TraceWriterCapabilities } from './trace-writer.js';

export type {
  ReachabilityResult,
  TraceWriter,
  TraceWriterCapabilities,
  WriteOptions,
} from './trace-writer.js';

/** What a store can do; the conformance suite skips what a store declares it cannot. */
export interface StoreCapabilities extends TraceWriterCapabilities {
  /** Data survives the process (SQLite, a server). */
  readonly persistent: boolean;
  /** `deleteTraces` is implemented. */
  readonly deleteTraces: boolean;
  /** `createAssessment` / `getAssessments` are implemented. */
  readonly assessments: boolean;
  /** `searchRuns` / `searchExperiments` accept filters. */
  readonly searchRunsFilter: boolean;
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

export interface DeleteTracesInput {
  experimentId: string;
  /** Delete exactly these traces ... */
  traceIds?: string[];
  /** ... or the oldest traces with request_time <= this (ms), at most `maxTraces` of them. */
  maxTimestampMillis?: number;
  maxTraces?: number;
}

/**
 * The read and tracking port: experiments, runs, and reading, tagging and deleting traces.
 * What the CLI, the dashboard and the `Tracker`'s run API use; the span pipeline never does.
 * Lookups of something absent resolve to `null`; failures reject with a `GraphtraceError`.
 */
export interface TrackingCalls {
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
  searchRuns(query: SearchRunsQuery): Promise<Page<Run>>;
  /** Every observation of the metric, ordered as MLflow does: timestamp, step, value. */
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;

  // Traces (their writes are the `TraceWriter` port)
  getTraceInfo(traceId: string): Promise<TraceInfo | null>;
  getTrace(traceId: string): Promise<Trace | null>;
  searchTraces(query: SearchTracesQuery): Promise<Page<TraceInfo>>;
  setTraceTag(traceId: string, key: string, value: string): Promise<void>;
  /** Returns the number of traces deleted. */
  deleteTraces(input: DeleteTracesInput): Promise<number>;

  // Assessments
  createAssessment(assessment: NewAssessment): Promise<Assessment>;
  getAssessments(traceId: string): Promise<Assessment[]>;
}

/**
 * The port every store implements: a small async subset of MLflow's tracking store, named
 * after MLflow's client in camelCase. It joins two ports: `TraceWriter` (`startTrace`,
 * `logSpans`: all the span pipeline uses) and `TrackingCalls` (everything else). Implementations:
 * `memoryStore()` (core), `sqliteStore()` (@graphtrace/store-sqlite), `mlflowServerStore()`
 * (@graphtrace/store-mlflow). Every implementation runs the conformance suite in
 * `@graphtrace/core/testing`.
 *
 * Errors: methods reject with a `GraphtraceError` carrying a `code`; lookups of something
 * absent resolve to `null` instead.
 */
export interface TrackingStore extends TraceWriter, TrackingCalls {
  readonly capabilities: StoreCapabilities;
  /** Releases connections and files. Further calls are undefined. */
  close(): Promise<void>;
}
