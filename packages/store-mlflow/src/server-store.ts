import {
  type Assessment,
  type CreateRunInput,
  type DeleteTracesInput,
  type Experiment,
  GraphtraceError,
  type LogBatchInput,
  type Metric,
  matches,
  type NewAssessment,
  type Page,
  type Param,
  type Run,
  type RunInfo,
  type RunTag,
  runValue,
  type SearchRunsQuery,
  type SearchTracesQuery,
  type Span,
  type StoreCapabilities,
  type Trace,
  type TraceInfo,
  TraceTagKey,
  type TrackingStore,
  traceValue,
  type UpdateRunInput,
  type WriteOptions,
} from '@graphtrace/core';
import {
  type AssessmentJson,
  assessmentFromJson,
  assessmentToJson,
  type ExperimentJson,
  experimentFromJson,
  type MetricJson,
  metricFromJson,
  metricValueToJson,
  type RunJson,
  runFromJson,
  runInfoFromJson,
  type TraceInfoJson,
  traceInfoFromJson,
  traceInfoToJson,
} from './convert.js';
import { MlflowServerError } from './errors.js';
import { HttpClient, type RequestOptions } from './http-client.js';
import { type MlflowServerStoreOptions, resolveOptions } from './options.js';
import {
  encodeSpans,
  type OtlpSpanJson,
  otelTraceId,
  parseJsonKeepingInt64,
  spanFromOtlpJson,
} from './otlp-spans.js';
import { translateSearch } from './search-translate.js';

/** MLflow's LogBatch limits (mlflow/utils/validation.py), and a margin under its 1 MB body cap. */
export const LOG_BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  total: 1000,
  bytes: 900_000,
} as const;
/** Spans per OTLP request, and a byte budget per request. */
const OTLP_MAX_SPANS = 2000;
const OTLP_MAX_BYTES = 8_000_000;
/** MLflow's SearchTracesV3 refuses max_results above 500. */
const TRACE_SEARCH_MAX = 500;

const V2 = '/api/2.0/mlflow';
const V3 = '/api/3.0/mlflow';
const OTLP_PATH = '/v1/traces';

const isNotFound = (err: unknown) => err instanceof GraphtraceError && err.code === 'NOT_FOUND';

/** StartTraceV3 on an existing trace that MLflow's row-level upsert could not apply. */
function isUpsertConflict(err: unknown): boolean {
  if (!(err instanceof MlflowServerError)) return false;
  if (err.status === 500 && err.serverErrorCode === 'INTERNAL_ERROR') return true;
  return err.status === 400 && /IntegrityError|UNIQUE constraint|duplicate key/i.test(err.message);
}

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
  private readonly http: HttpClient;

  constructor(options: MlflowServerStoreOptions) {
    const resolved = resolveOptions(options);
    this.uri = resolved.uri;
    this.http = new HttpClient(resolved);
  }

  private call<T>(req: RequestOptions): Promise<T> {
    return this.http.json<T>(req);
  }

  private async orNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  // ---- experiments

  async getOrCreateExperiment(
    name: string,
    options?: { tags?: Record<string, string> },
  ): Promise<Experiment> {
    if (!name.trim())
      throw new GraphtraceError('INVALID_ARGUMENT', 'experiment name must not be empty');
    const existing = await this.experimentNamed(name);
    if (existing) return this.activeOrExplain(existing);
    try {
      const { experiment_id } = await this.call<{ experiment_id: string }>({
        method: 'POST',
        path: `${V2}/experiments/create`,
        json: {
          name,
          tags: Object.entries(options?.tags ?? {}).map(([key, value]) => ({ key, value })),
        },
        idempotent: false,
      });
      const created = await this.getExperiment(experiment_id);
      if (created) return created;
    } catch (err) {
      // Another process created it between our lookup and our create: use theirs.
      if (!(err instanceof GraphtraceError && err.code === 'ALREADY_EXISTS')) throw err;
    }
    const again = await this.experimentNamed(name);
    if (!again)
      throw new GraphtraceError('NOT_FOUND', `experiment "${name}" vanished while being created`);
    return this.activeOrExplain(again);
  }

  private activeOrExplain(e: Experiment): Experiment {
    if (e.lifecycleStage === 'active') return e;
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `experiment "${e.name}" (id ${e.experimentId}) is deleted on ${this.uri}: restore it (mlflow experiments restore --experiment-id ${e.experimentId}) or use another name`,
    );
  }

  private async experimentNamed(name: string): Promise<Experiment | null> {
    const res = await this.orNull(
      this.call<{ experiment: ExperimentJson }>({
        method: 'GET',
        path: `${V2}/experiments/get-by-name`,
        query: { experiment_name: name },
        idempotent: true,
      }),
    );
    return res ? experimentFromJson(res.experiment) : null;
  }

  async getExperiment(experimentId: string): Promise<Experiment | null> {
    // MLflow answers INVALID_PARAMETER_VALUE for ids that are not integers: none can exist.
    if (!/^\d+$/.test(experimentId)) return null;
    const res = await this.orNull(
      this.call<{ experiment: ExperimentJson }>({
        method: 'GET',
        path: `${V2}/experiments/get`,
        query: { experiment_id: experimentId },
        idempotent: true,
      }),
    );
    return res ? experimentFromJson(res.experiment) : null;
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    const e = await this.experimentNamed(name);
    return e?.lifecycleStage === 'active' ? e : null;
  }

  async searchExperiments(
    query: { maxResults?: number; pageToken?: string | null } = {},
  ): Promise<Page<Experiment>> {
    const res = await this.call<{ experiments?: ExperimentJson[]; next_page_token?: string }>({
      method: 'POST',
      path: `${V2}/experiments/search`,
      json: {
        max_results: positiveInt('maxResults', query.maxResults ?? 1000),
        order_by: ['name ASC'],
        view_type: 'ACTIVE_ONLY',
        ...(query.pageToken ? { page_token: query.pageToken } : {}),
      },
      idempotent: true,
    });
    return {
      items: (res.experiments ?? []).map(experimentFromJson),
      nextPageToken: res.next_page_token || null,
    };
  }

  // ---- runs

  async createRun(input: CreateRunInput): Promise<Run> {
    const res = await this.call<{ run: RunJson }>({
      method: 'POST',
      path: `${V2}/runs/create`,
      json: {
        experiment_id: input.experimentId,
        start_time: input.startTime ?? Date.now(),
        ...(input.userId !== undefined ? { user_id: input.userId } : {}),
        ...(input.runName !== undefined ? { run_name: input.runName } : {}),
        tags: input.tags ?? [],
      },
      idempotent: false,
    });
    return runFromJson(res.run);
  }

  async updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo> {
    const res = await this.call<{ run_info: RunJson['info'] }>({
      method: 'POST',
      path: `${V2}/runs/update`,
      json: {
        run_id: runId,
        ...(update.status !== undefined ? { status: update.status } : {}),
        ...(update.endTime !== undefined ? { end_time: update.endTime } : {}),
        ...(update.runName !== undefined ? { run_name: update.runName } : {}),
      },
      idempotent: true,
    });
    return runInfoFromJson(res.run_info);
  }

  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    for (const chunk of splitLogBatch(batch)) {
      await this.call({
        method: 'POST',
        path: `${V2}/runs/log-batch`,
        json: {
          run_id: runId,
          params: chunk.params,
          tags: chunk.tags,
          metrics: chunk.metrics.map((m) => ({
            key: m.key,
            value: metricValueToJson(m.value),
            timestamp: m.timestamp,
            step: m.step,
          })),
        },
        // Params are write-once with the same value and tags are upserts; a metric point sent
        // twice is one more history row, which beats losing it.
        idempotent: true,
      });
    }
  }

  async getRun(runId: string): Promise<Run | null> {
    if (!/^[0-9a-zA-Z_-]+$/.test(runId)) return null;
    const res = await this.orNull(
      this.call<{ run: RunJson }>({
        method: 'GET',
        path: `${V2}/runs/get`,
        query: { run_id: runId },
        idempotent: true,
      }),
    );
    return res ? runFromJson(res.run) : null;
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    const t = translateSearch('runs', query.filter, query.orderBy);
    const res = await this.call<{ runs?: RunJson[]; next_page_token?: string }>({
      method: 'POST',
      path: `${V2}/runs/search`,
      json: {
        experiment_ids: query.experimentIds,
        max_results: positiveInt('maxResults', query.maxResults ?? 1000),
        run_view_type: 'ACTIVE_ONLY',
        ...(t.serverFilter ? { filter: t.serverFilter } : {}),
        ...(t.orderBy.length ? { order_by: t.orderBy } : {}),
        ...(query.pageToken ? { page_token: query.pageToken } : {}),
      },
      idempotent: true,
    });
    const items = (res.runs ?? []).map(runFromJson).filter((r) => matches(t.filter, r, runValue));
    return { items, nextPageToken: res.next_page_token || null };
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.call<{ metrics?: MetricJson[]; next_page_token?: string }>({
        method: 'GET',
        path: `${V2}/metrics/get-history`,
        query: { run_id: runId, metric_key: key, max_results: 25_000, page_token: pageToken },
        idempotent: true,
      });
      out.push(...(res.metrics ?? []).map(metricFromJson));
      pageToken = res.next_page_token || undefined;
    } while (pageToken);
    // MLflow's order: timestamp, then step, then value.
    return out.sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || a.value - b.value);
  }

  // ---- traces

  async startTrace(info: TraceInfo, options?: WriteOptions): Promise<TraceInfo> {
    const signal = options?.signal;
    otelTraceId(info.traceId);
    const json = traceInfoToJson(info);
    // Spans always live in the server's tracking store: readers look for them there by this tag.
    json.tags = { ...json.tags, [TraceTagKey.SPANS_LOCATION]: 'TRACKING_STORE' };
    let lastError: unknown;
    try {
      return await this.postTraceInfo(json, signal);
    } catch (err) {
      if (!isUpsertConflict(err)) throw err;
      lastError = err;
    }
    // MLflow's upsert keeps an existing trace's spans, but fails (500) when the existing row has
    // metadata, assessments or more than one tag that the new info lacks, and two writers of one
    // trace at once can collide on its rows (400). Read what is there and send the union — the
    // contract is "tags and metadata are merged" — a few times if writers keep colliding.
    for (let attempt = 0; attempt < 4; attempt++) {
      const existing = await this.traceInfoJson(info.traceId, signal);
      try {
        return await this.postTraceInfo(
          existing
            ? {
                ...json,
                tags: { ...existing.tags, ...json.tags },
                trace_metadata: { ...existing.trace_metadata, ...json.trace_metadata },
                ...(existing.assessments?.length ? { assessments: existing.assessments } : {}),
              }
            : json,
          signal,
        );
      } catch (err) {
        if (!isUpsertConflict(err)) throw err;
        lastError = err;
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 50 * (attempt + 1)));
      }
    }
    throw lastError;
  }

  private async postTraceInfo(json: TraceInfoJson, signal?: AbortSignal): Promise<TraceInfo> {
    const res = await this.call<{ trace: { trace_info: TraceInfoJson } }>({
      method: 'POST',
      path: `${V3}/traces`,
      json: { trace: { trace_info: json } },
      idempotent: true,
      signal,
    });
    return traceInfoFromJson(res.trace.trace_info);
  }

  async logSpans(
    experimentId: string,
    spans: readonly Span[],
    options?: WriteOptions,
  ): Promise<void> {
    if (spans.length === 0) return;
    for (const chunk of chunkSpans(spans)) {
      await this.http.request({
        method: 'POST',
        path: OTLP_PATH,
        body: encodeSpans(chunk),
        headers: {
          'content-type': 'application/x-protobuf',
          'x-mlflow-experiment-id': experimentId,
        },
        // Spans are stored by (trace id, span id): sending them again replaces them.
        idempotent: true,
        signal: options?.signal,
      });
    }
  }

  private traceInfoJson(traceId: string, signal?: AbortSignal): Promise<TraceInfoJson | null> {
    return this.orNull(
      this.call<{ trace: { trace_info: TraceInfoJson } }>({
        method: 'GET',
        path: `${V3}/traces/${encodeURIComponent(traceId)}`,
        idempotent: true,
        signal,
      }).then((r) => r.trace.trace_info),
    );
  }

  async getTraceInfo(traceId: string): Promise<TraceInfo | null> {
    const json = await this.traceInfoJson(traceId);
    return json ? traceInfoFromJson(json) : null;
  }

  async getTrace(traceId: string): Promise<Trace | null> {
    const text = await this.orNull(
      this.http.text({
        method: 'GET',
        path: `${V3}/traces/get`,
        // allow_partial: without it the server sleeps and retries while spans are missing.
        query: { trace_id: traceId, allow_partial: true },
        idempotent: true,
      }),
    );
    if (text === null) return null;
    const res = parseJsonKeepingInt64(text) as {
      trace: { trace_info: TraceInfoJson; spans?: OtlpSpanJson[] };
    };
    const spans = (res.trace.spans ?? [])
      .map((s) => spanFromOtlpJson(s, traceId))
      .sort((a, b) =>
        a.startTimeUnixNano < b.startTimeUnixNano
          ? -1
          : a.startTimeUnixNano > b.startTimeUnixNano
            ? 1
            : 0,
      );
    return { info: traceInfoFromJson(res.trace.trace_info), spans };
  }

  async searchTraces(query: SearchTracesQuery): Promise<Page<TraceInfo>> {
    const t = translateSearch('traces', query.filter, query.orderBy);
    const res = await this.call<{ traces?: TraceInfoJson[]; next_page_token?: string }>({
      method: 'POST',
      path: `${V3}/traces/search`,
      json: {
        locations: query.experimentIds.map((experiment_id) => ({
          type: 'MLFLOW_EXPERIMENT',
          mlflow_experiment: { experiment_id },
        })),
        max_results: Math.min(TRACE_SEARCH_MAX, positiveInt('maxResults', query.maxResults ?? 100)),
        ...(t.serverFilter ? { filter: t.serverFilter } : {}),
        ...(t.orderBy.length ? { order_by: t.orderBy } : {}),
        ...(query.pageToken ? { page_token: query.pageToken } : {}),
      },
      idempotent: true,
    });
    const items = (res.traces ?? [])
      .map(traceInfoFromJson)
      .filter((i) => matches(t.filter, i, traceValue));
    return { items, nextPageToken: res.next_page_token || null };
  }

  async setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    try {
      await this.call({
        method: 'PATCH',
        path: `${V3}/traces/${encodeURIComponent(traceId)}/tags`,
        json: { key, value },
        idempotent: true,
      });
    } catch (err) {
      // MLflow answers a tag on a missing trace with a database constraint error (BAD_REQUEST).
      if (err instanceof GraphtraceError && err.code === 'INVALID_ARGUMENT') {
        if (!(await this.traceInfoJson(traceId)))
          throw new GraphtraceError('NOT_FOUND', `trace ${traceId} does not exist in ${this.uri}`);
      }
      throw err;
    }
  }

  async deleteTraces(input: DeleteTracesInput): Promise<number> {
    let body: Record<string, unknown>;
    if (input.traceIds) {
      if (input.traceIds.length === 0) return 0;
      body = { experiment_id: input.experimentId, request_ids: input.traceIds };
    } else if (input.maxTimestampMillis !== undefined) {
      body = {
        experiment_id: input.experimentId,
        max_timestamp_millis: input.maxTimestampMillis,
        ...(input.maxTraces !== undefined ? { max_traces: input.maxTraces } : {}),
      };
    } else {
      throw new GraphtraceError(
        'INVALID_ARGUMENT',
        'deleteTraces needs traceIds or maxTimestampMillis',
      );
    }
    const res = await this.call<{ traces_deleted?: number }>({
      method: 'POST',
      path: `${V3}/traces/delete-traces`,
      json: body,
      idempotent: true,
    });
    return res.traces_deleted ?? 0;
  }

  // ---- assessments

  async createAssessment(assessment: NewAssessment): Promise<Assessment> {
    try {
      const res = await this.call<{ assessment: AssessmentJson }>({
        method: 'POST',
        path: `${V3}/traces/${encodeURIComponent(assessment.traceId)}/assessments`,
        json: { assessment: assessmentToJson(assessment) },
        idempotent: false,
      });
      return assessmentFromJson(res.assessment);
    } catch (err) {
      // MLflow 3.10–3.13 report a missing trace as a failed foreign key (INVALID_PARAMETER_VALUE).
      if (
        err instanceof GraphtraceError &&
        err.code === 'INVALID_ARGUMENT' &&
        (await this.traceInfoJson(assessment.traceId)) === null
      )
        throw new GraphtraceError(
          'NOT_FOUND',
          `trace ${assessment.traceId} does not exist on ${this.uri}: flush traces before assessing them`,
          { cause: err },
        );
      throw err;
    }
  }

  async getAssessments(traceId: string): Promise<Assessment[]> {
    const json = await this.traceInfoJson(traceId);
    return (json?.assessments ?? []).map(assessmentFromJson);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new GraphtraceError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${v}`);
  return v;
}

interface BatchChunk {
  params: Param[];
  tags: RunTag[];
  metrics: Metric[];
}

/**
 * Splits a batch into requests MLflow accepts: ≤ 100 params, ≤ 100 tags, ≤ 1000 metrics and
 * ≤ 1000 items in all per request, and under its request size cap. Params go first so a
 * write-once conflict is refused before metrics of the same batch are logged.
 */
export function splitLogBatch(batch: LogBatchInput): BatchChunk[] {
  const chunks: BatchChunk[] = [];
  let cur: BatchChunk = { params: [], tags: [], metrics: [] };
  let bytes = 0;
  const flush = () => {
    if (cur.params.length + cur.tags.length + cur.metrics.length > 0) chunks.push(cur);
    cur = { params: [], tags: [], metrics: [] };
    bytes = 0;
  };
  const add = <K extends keyof BatchChunk>(kind: K, item: BatchChunk[K][number], limit: number) => {
    const size = JSON.stringify(item).length + 8;
    const total = cur.params.length + cur.tags.length + cur.metrics.length;
    if (
      cur[kind].length >= limit ||
      total >= LOG_BATCH_LIMITS.total ||
      bytes + size > LOG_BATCH_LIMITS.bytes
    )
      flush();
    (cur[kind] as BatchChunk[K][number][]).push(item);
    bytes += size;
  };
  for (const p of batch.params ?? []) add('params', p, LOG_BATCH_LIMITS.params);
  for (const t of batch.tags ?? []) add('tags', t, LOG_BATCH_LIMITS.tags);
  for (const m of batch.metrics ?? []) add('metrics', m, LOG_BATCH_LIMITS.metrics);
  flush();
  return chunks;
}

function chunkSpans(spans: readonly Span[]): Span[][] {
  const out: Span[][] = [];
  let cur: Span[] = [];
  let bytes = 0;
  for (const s of spans) {
    // A rough size: attribute JSON dominates a span's encoded size.
    const size = 200 + JSON.stringify(s.attributes).length;
    if (cur.length > 0 && (cur.length >= OTLP_MAX_SPANS || bytes + size > OTLP_MAX_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(s);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A `TrackingStore` over a real MLflow (≥ 3.9) tracking server. */
export function mlflowServerStore(options: MlflowServerStoreOptions): TrackingStore {
  return new MlflowServerStore(options);
}
