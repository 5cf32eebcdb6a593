import type {
  Assessment,
  CreateRunInput,
  DeleteTracesInput,
  Experiment,
  LogBatchInput,
  Metric,
  NewAssessment,
  Page,
  ReachabilityResult,
  Run,
  RunInfo,
  SearchRunsQuery,
  SearchTracesQuery,
  Span,
  StoreCapabilities,
  Trace,
  TraceInfo,
  TrackingStore,
  UpdateRunInput,
  WriteOptions,
} from '@graphtrace/core';
import { checkReachable } from './check-reachable.js';
import { HttpClient } from './http-client.js';
import { type MlflowServerStoreOptions, resolveOptions } from './options.js';
import { createAssessment, getAssessments } from './store/assessments.js';
import type { ServerContext } from './store/context.js';
import {
  getExperiment,
  getExperimentByName,
  getOrCreateExperiment,
  searchExperiments,
} from './store/experiments.js';
import { getTrace, getTraceInfo, searchTraces } from './store/read-traces.js';
import {
  createRun,
  getMetricHistory,
  getRun,
  logBatch,
  searchRuns,
  updateRun,
} from './store/runs.js';
import { deleteTraces, logSpans, setTraceTag, startTrace } from './store/write-traces.js';

/**
 * A `TrackingStore` over a real MLflow (≥ 3.9) tracking server: experiments and runs through
 * MLflow's REST API, trace infos through StartTraceV3, spans through OTLP/HTTP protobuf.
 * Run ids are assigned by the server (a `runId` passed to createRun is not used).
 */
export class MlflowServerStore implements TrackingStore {
  readonly uri: string;
  readonly capabilities: StoreCapabilities = {
    persistent: true,
    deleteTraces: true,
    assessments: true,
    searchRunsFilter: true,
  };
  private readonly ctx: ServerContext;

  constructor(options: MlflowServerStoreOptions) {
    const resolved = resolveOptions(options);
    this.uri = resolved.uri;
    this.ctx = { http: new HttpClient(resolved), uri: resolved.uri };
  }

  /**
   * GET /health within the budget, with the store's TLS options (a private CA is trusted here as
   * in every other call): the fallback store asks it before choosing this store.
   */
  reachable(timeoutMs: number): Promise<ReachabilityResult> {
    return checkReachable(this.uri, { timeoutMs, fetch: this.ctx.http.fetch });
  }

  // ---- experiments

  getOrCreateExperiment(
    name: string,
    options?: { tags?: Record<string, string> },
  ): Promise<Experiment> {
    return getOrCreateExperiment(this.ctx, name, options?.tags);
  }

  getExperiment(experimentId: string): Promise<Experiment | null> {
    return getExperiment(this.ctx, experimentId);
  }

  getExperimentByName(name: string): Promise<Experiment | null> {
    return getExperimentByName(this.ctx, name);
  }

  searchExperiments(
    query: { maxResults?: number; pageToken?: string | null } = {},
  ): Promise<Page<Experiment>> {
    return searchExperiments(this.ctx, query);
  }

  // ---- runs

  createRun(input: CreateRunInput): Promise<Run> {
    return createRun(this.ctx, input);
  }

  updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo> {
    return updateRun(this.ctx, runId, update);
  }

  logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    return logBatch(this.ctx, runId, batch);
  }

  getRun(runId: string): Promise<Run | null> {
    return getRun(this.ctx, runId);
  }

  searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    return searchRuns(this.ctx, query);
  }

  getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    return getMetricHistory(this.ctx, runId, key);
  }

  // ---- traces

  startTrace(info: TraceInfo, options?: WriteOptions): Promise<TraceInfo> {
    return startTrace(this.ctx, info, options);
  }

  logSpans(experimentId: string, spans: readonly Span[], options?: WriteOptions): Promise<void> {
    return logSpans(this.ctx, experimentId, spans, options);
  }

  getTraceInfo(traceId: string): Promise<TraceInfo | null> {
    return getTraceInfo(this.ctx, traceId);
  }

  getTrace(traceId: string): Promise<Trace | null> {
    return getTrace(this.ctx, traceId);
  }

  searchTraces(query: SearchTracesQuery): Promise<Page<TraceInfo>> {
    return searchTraces(this.ctx, query);
  }

  setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    return setTraceTag(this.ctx, traceId, key, value);
  }

  deleteTraces(input: DeleteTracesInput): Promise<number> {
    return deleteTraces(this.ctx, input);
  }

  // ---- assessments

  createAssessment(assessment: NewAssessment): Promise<Assessment> {
    return createAssessment(this.ctx, assessment);
  }

  getAssessments(traceId: string): Promise<Assessment[]> {
    return getAssessments(this.ctx, traceId);
  }

  async close(): Promise<void> {
    await this.ctx.http.close();
  }
}

/** A `TrackingStore` over a real MLflow (≥ 3.9) tracking server. */
export function mlflowServerStore(options: MlflowServerStoreOptions): TrackingStore {
  return new MlflowServerStore(options);
}
