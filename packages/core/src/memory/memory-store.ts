import { GraphtraceError } from '../errors.js';
import { comparator, matches, runValue, traceValue } from '../filter/evaluate.js';
import { decodeOffsetToken, encodeOffsetToken } from '../filter/page-token.js';
import { parseFilter, parseOrderBy } from '../filter/parse-filter.js';
import { type IdGenerator, randomIds } from '../ids.js';
import type { Assessment, NewAssessment } from '../model/assessment.js';
import {
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  type Experiment,
} from '../model/experiment.js';
import { RunTagKey, TRACE_SCHEMA_VERSION, TraceMetadataKey, TraceTagKey } from '../model/keys.js';
import type { Metric, Run, RunInfo } from '../model/run.js';
import { type Span, spanRecord } from '../model/span.js';
import type { Trace, TraceInfo } from '../model/trace.js';
import type {
  CreateRunInput,
  DeleteTracesInput,
  LogBatchInput,
  Page,
  SearchRunsQuery,
  SearchTracesQuery,
  StoreCapabilities,
  TrackingStore,
  UpdateRunInput,
} from '../store/tracking-store.js';
import { randomRunName } from '../tracker/run-names.js';

interface StoredRun {
  info: RunInfo;
  params: Map<string, string>;
  tags: Map<string, string>;
  latest: Map<string, Metric>;
  history: Map<string, Metric[]>;
}

interface StoredTrace {
  info: TraceInfo;
  spans: Map<string, Span>;
}

export interface MemoryStoreOptions {
  ids?: IdGenerator;
  now?: () => number;
}

/** MLflow's latest_metrics rule: replace only when (step, timestamp, value) is greater. */
function isNewer(m: Metric, than: Metric): boolean {
  if (m.step !== than.step) return m.step > than.step;
  if (m.timestamp !== than.timestamp) return m.timestamp > than.timestamp;
  return m.value > than.value;
}

const clone = <T>(v: T): T => structuredClone(v);
const copyInfo = (i: TraceInfo): TraceInfo => ({
  ...i,
  tags: { ...i.tags },
  traceMetadata: { ...i.traceMetadata },
});

/**
 * A store that keeps everything in process memory: for tests, `memory:` URIs and programs that
 * only read their traces back. Implements the whole port.
 */
export class MemoryStore implements TrackingStore {
  readonly uri = 'memory:';
  readonly capabilities: StoreCapabilities = {
    persistent: false,
    deleteTraces: true,
    assessments: true,
    searchRunsFilter: true,
  };
  private readonly experiments = new Map<string, Experiment>();
  private readonly runs = new Map<string, StoredRun>();
  private readonly traces = new Map<string, StoredTrace>();
  private readonly assessments = new Map<string, Assessment[]>();
  private nextExperimentId = 1;
  private readonly ids: IdGenerator;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.ids = options.ids ?? randomIds;
    this.now = options.now ?? Date.now;
    this.experiments.set(DEFAULT_EXPERIMENT_ID, {
      experimentId: DEFAULT_EXPERIMENT_ID,
      name: DEFAULT_EXPERIMENT_NAME,
      artifactLocation: `memory:/${DEFAULT_EXPERIMENT_ID}`,
      lifecycleStage: 'active',
      creationTime: null,
      lastUpdateTime: null,
      tags: {},
    });
  }

  // ---- experiments

  async getOrCreateExperiment(
    name: string,
    options?: { tags?: Record<string, string> },
  ): Promise<Experiment> {
    if (!name.trim())
      throw new GraphtraceError('INVALID_ARGUMENT', 'experiment name must not be empty');
    const existing = await this.getExperimentByName(name);
    if (existing) return existing;
    const id = String(this.nextExperimentId++);
    const t = this.now();
    const e: Experiment = {
      experimentId: id,
      name,
      artifactLocation: `memory:/${id}`,
      lifecycleStage: 'active',
      creationTime: t,
      lastUpdateTime: t,
      tags: { ...options?.tags },
    };
    this.experiments.set(id, e);
    return clone(e);
  }

  async getExperiment(experimentId: string): Promise<Experiment | null> {
    const e = this.experiments.get(experimentId);
    return e ? clone(e) : null;
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    for (const e of this.experiments.values())
      if (e.name === name && e.lifecycleStage === 'active') return clone(e);
    return null;
  }

  async searchExperiments(
    query: { maxResults?: number; pageToken?: string | null } = {},
  ): Promise<Page<Experiment>> {
    const all = [...this.experiments.values()]
      .filter((e) => e.lifecycleStage === 'active')
      .sort((a, b) => a.name.localeCompare(b.name));
    return this.page(all, query.maxResults ?? 1000, query.pageToken);
  }

  // ---- runs

  private run(runId: string): StoredRun {
    const r = this.runs.get(runId);
    if (!r) throw new GraphtraceError('NOT_FOUND', `run ${runId} does not exist in ${this.uri}`);
    return r;
  }

  private toRun(r: StoredRun): Run {
    return {
      info: clone(r.info),
      data: {
        params: Object.fromEntries(r.params),
        metrics: [...r.latest.values()].map((m) => ({ ...m })),
        tags: Object.fromEntries(r.tags),
      },
    };
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    const experiment = this.experiments.get(input.experimentId);
    if (experiment?.lifecycleStage !== 'active') {
      throw new GraphtraceError(
        'NOT_FOUND',
        `experiment ${input.experimentId} does not exist or is deleted`,
      );
    }
    const runId = input.runId ?? this.ids.runId();
    if (this.runs.has(runId))
      throw new GraphtraceError('ALREADY_EXISTS', `run ${runId} already exists`);
    const tags = new Map((input.tags ?? []).map((t) => [t.key, t.value]));
    const runName = input.runName ?? tags.get(RunTagKey.RUN_NAME) ?? randomRunName();
    tags.set(RunTagKey.RUN_NAME, runName);
    const stored: StoredRun = {
      info: {
        runId,
        experimentId: input.experimentId,
        runName,
        userId: input.userId ?? '',
        status: 'RUNNING',
        startTime: input.startTime ?? this.now(),
        endTime: null,
        artifactUri: `${experiment.artifactLocation}/${runId}/artifacts`,
        lifecycleStage: 'active',
      },
      params: new Map(),
      tags,
      latest: new Map(),
      history: new Map(),
    };
    this.runs.set(runId, stored);
    return this.toRun(stored);
  }

  async updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo> {
    const r = this.run(runId);
    if (update.status !== undefined) r.info.status = update.status;
    if (update.endTime !== undefined) r.info.endTime = update.endTime;
    if (update.runName !== undefined) {
      r.info.runName = update.runName;
      r.tags.set(RunTagKey.RUN_NAME, update.runName);
    }
    return clone(r.info);
  }

  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    const r = this.run(runId);
    // Validate everything first so a rejected batch changes nothing.
    for (const p of batch.params ?? []) {
      const old = r.params.get(p.key);
      if (old !== undefined && old !== p.value) {
        throw new GraphtraceError(
          'INVALID_ARGUMENT',
          `param "${p.key}" of run ${runId} is already "${old}"; params are write-once (log a new run, or use a metric or tag for values that change)`,
        );
      }
    }
    for (const p of batch.params ?? []) r.params.set(p.key, p.value);
    for (const t of batch.tags ?? []) {
      r.tags.set(t.key, t.value);
      if (t.key === RunTagKey.RUN_NAME) r.info.runName = t.value;
    }
    for (const m of batch.metrics ?? []) {
      const metric = { ...m };
      const history = r.history.get(m.key) ?? [];
      history.push(metric);
      r.history.set(m.key, history);
      const latest = r.latest.get(m.key);
      if (!latest || isNewer(metric, latest)) r.latest.set(m.key, metric);
    }
  }

  async getRun(runId: string): Promise<Run | null> {
    const r = this.runs.get(runId);
    return r ? this.toRun(r) : null;
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    const filter = parseFilter(query.filter, 'runs');
    const order = parseOrderBy(query.orderBy, 'runs');
    const experimentIds = new Set(query.experimentIds);
    const runs = [...this.runs.values()]
      .filter((r) => experimentIds.has(r.info.experimentId) && r.info.lifecycleStage === 'active')
      .map((r) => this.toRun(r))
      .filter((r) => matches(filter, r, runValue))
      .sort(
        comparator<Run>(
          [
            ...order,
            { entity: 'attribute', key: 'start_time', ascending: false },
            { entity: 'attribute', key: 'run_id', ascending: true },
          ],
          runValue,
        ),
      );
    return this.page(runs, query.maxResults ?? 1000, query.pageToken);
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const history = this.run(runId).history.get(key) ?? [];
    // MLflow's order: timestamp, then step, then value.
    return history
      .map((m) => ({ ...m }))
      .sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || a.value - b.value);
  }

  // ---- traces

  async startTrace(info: TraceInfo): Promise<TraceInfo> {
    const existing = this.traces.get(info.traceId);
    const stored = existing
      ? {
          ...info,
          tags: { ...existing.info.tags, ...info.tags },
          traceMetadata: { ...existing.info.traceMetadata, ...info.traceMetadata },
        }
      : copyInfo(info);
    if (existing) existing.info = stored;
    else this.traces.set(info.traceId, { info: stored, spans: new Map() });
    return copyInfo(stored);
  }

  async logSpans(experimentId: string, spans: readonly Span[]): Promise<void> {
    for (const span of spans) {
      let t = this.traces.get(span.traceId);
      if (!t) {
        // Spans before their trace info: record the trace as in progress until the info comes.
        t = {
          info: {
            traceId: span.traceId,
            clientRequestId: null,
            experimentId,
            requestTime: Number(span.startTimeUnixNano / 1_000_000n),
            executionDuration: null,
            state: 'IN_PROGRESS',
            requestPreview: null,
            responsePreview: null,
            traceMetadata: { [TraceMetadataKey.SCHEMA_VERSION]: TRACE_SCHEMA_VERSION },
            tags: {},
          },
          spans: new Map(),
        };
        this.traces.set(span.traceId, t);
      }
      if (span.parentSpanId === null && !t.info.tags[TraceTagKey.TRACE_NAME])
        t.info.tags[TraceTagKey.TRACE_NAME] = span.name;
      t.spans.set(span.spanId, spanRecord(span));
    }
  }

  async getTraceInfo(traceId: string): Promise<TraceInfo | null> {
    const t = this.traces.get(traceId);
    return t ? copyInfo(t.info) : null;
  }

  async getTrace(traceId: string): Promise<Trace | null> {
    const t = this.traces.get(traceId);
    if (!t) return null;
    const spans = [...t.spans.values()]
      .map((s) => structuredClone(s))
      .sort((a, b) =>
        a.startTimeUnixNano < b.startTimeUnixNano
          ? -1
          : a.startTimeUnixNano > b.startTimeUnixNano
            ? 1
            : 0,
      );
    return { info: clone(t.info), spans };
  }

  async searchTraces(query: SearchTracesQuery): Promise<Page<TraceInfo>> {
    const filter = parseFilter(query.filter, 'traces');
    const order = parseOrderBy(query.orderBy, 'traces');
    const experimentIds = new Set(query.experimentIds);
    const infos = [...this.traces.values()]
      .map((t) => t.info)
      .filter((i) => experimentIds.has(i.experimentId) && matches(filter, i, traceValue))
      .sort(
        comparator<TraceInfo>(
          [
            ...order,
            { entity: 'attribute', key: 'timestamp_ms', ascending: false },
            { entity: 'attribute', key: 'trace_id', ascending: true },
          ],
          traceValue,
        ),
      )
      .map(copyInfo);
    return this.page(infos, query.maxResults ?? 100, query.pageToken);
  }

  async setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    const t = this.traces.get(traceId);
    if (!t)
      throw new GraphtraceError('NOT_FOUND', `trace ${traceId} does not exist in ${this.uri}`);
    t.info.tags[key] = value;
  }

  async deleteTraces(input: DeleteTracesInput): Promise<number> {
    const candidates = [...this.traces.values()]
      .map((t) => t.info)
      .filter((i) => i.experimentId === input.experimentId);
    let victims: TraceInfo[];
    if (input.traceIds) {
      const ids = new Set(input.traceIds);
      victims = candidates.filter((i) => ids.has(i.traceId));
    } else if (input.maxTimestampMillis !== undefined) {
      const max = input.maxTimestampMillis;
      victims = candidates
        .filter((i) => i.requestTime <= max)
        .sort((a, b) => a.requestTime - b.requestTime)
        .slice(0, input.maxTraces ?? Number.POSITIVE_INFINITY);
    } else {
      throw new GraphtraceError(
        'INVALID_ARGUMENT',
        'deleteTraces needs traceIds or maxTimestampMillis',
      );
    }
    for (const v of victims) {
      this.traces.delete(v.traceId);
      this.assessments.delete(v.traceId);
    }
    return victims.length;
  }

  // ---- assessments

  async createAssessment(a: NewAssessment): Promise<Assessment> {
    if (!this.traces.has(a.traceId)) {
      throw new GraphtraceError(
        'NOT_FOUND',
        `trace ${a.traceId} does not exist in ${this.uri}: flush traces before assessing them`,
      );
    }
    const t = a.createTime ?? this.now();
    const base = {
      assessmentId: a.assessmentId ?? `a-${this.ids.assessmentId()}`,
      traceId: a.traceId,
      spanId: a.spanId ?? null,
      name: a.name,
      source: { ...a.source },
      rationale: a.rationale ?? null,
      metadata: { ...a.metadata },
      runId: a.runId ?? null,
      createTime: t,
      lastUpdateTime: t,
      valid: true,
      overriddenAssessmentId: null,
      value: clone(a.value),
    };
    const stored: Assessment =
      a.kind === 'feedback'
        ? { ...base, kind: 'feedback', error: a.error ?? null }
        : { ...base, kind: 'expectation' };
    const list = this.assessments.get(a.traceId) ?? [];
    list.push(stored);
    this.assessments.set(a.traceId, list);
    return clone(stored);
  }

  async getAssessments(traceId: string): Promise<Assessment[]> {
    return clone(this.assessments.get(traceId) ?? []);
  }

  async close(): Promise<void> {}

  private page<T>(all: T[], maxResults: number, pageToken: string | null | undefined): Page<T> {
    if (!Number.isInteger(maxResults) || maxResults < 1) {
      throw new GraphtraceError(
        'INVALID_ARGUMENT',
        `maxResults must be a positive integer, got ${maxResults}`,
      );
    }
    const offset = decodeOffsetToken(pageToken);
    return {
      items: all.slice(offset, offset + maxResults),
      nextPageToken:
        offset + maxResults < all.length ? encodeOffsetToken(offset + maxResults) : null,
    };
  }
}

export function memoryStore(options?: MemoryStoreOptions): TrackingStore {
  return new MemoryStore(options);
}
