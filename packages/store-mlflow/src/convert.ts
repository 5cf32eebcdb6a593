import type {
  Assessment,
  Experiment,
  LifecycleStage,
  Metric,
  NewAssessment,
  Run,
  RunInfo,
  RunStatus,
  TraceInfo,
  TraceState,
} from '@graphtrace/core';

/**
 * Conversions between graphtrace's model and MLflow's REST JSON (protobuf JSON with the proto
 * field names, int64 as numbers, Timestamp/Duration as RFC 3339 text).
 */

export type KeyValue = { key: string; value: string };

export interface ExperimentJson {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  creation_time?: number | string;
  last_update_time?: number | string;
  tags?: KeyValue[];
}

export interface RunJson {
  info: {
    run_id?: string;
    run_uuid?: string;
    run_name?: string;
    experiment_id: string;
    user_id?: string;
    status?: string;
    start_time?: number | string;
    end_time?: number | string;
    artifact_uri?: string;
    lifecycle_stage?: string;
  };
  data?: { metrics?: MetricJson[]; params?: KeyValue[]; tags?: KeyValue[] };
}

export interface MetricJson {
  key: string;
  value?: number | string;
  timestamp?: number | string;
  step?: number | string;
}

export interface TraceInfoJson {
  trace_id: string;
  client_request_id?: string;
  trace_location?: { type?: string; mlflow_experiment?: { experiment_id?: string } };
  request_preview?: string;
  response_preview?: string;
  request_time?: string;
  execution_duration?: string;
  state?: string;
  trace_metadata?: Record<string, string>;
  tags?: Record<string, string>;
  assessments?: AssessmentJson[];
}

export interface AssessmentJson {
  assessment_id?: string;
  assessment_name: string;
  trace_id?: string;
  span_id?: string;
  source?: { source_type?: string; source_id?: string };
  create_time?: string;
  last_update_time?: string;
  feedback?: {
    value?: unknown;
    error?: { error_code?: string; error_message?: string; stack_trace?: string };
  };
  expectation?: {
    value?: unknown;
    serialized_value?: { serialization_format?: string; value?: string };
  };
  rationale?: string;
  error?: { error_code?: string; error_message?: string };
  metadata?: Record<string, string>;
  overrides?: string;
  valid?: boolean;
}

const num = (v: number | string | undefined): number | null =>
  v === undefined || v === null || v === '' ? null : Number(v);

const kv = (list: KeyValue[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).map((t) => [t.key, t.value ?? '']));

export function experimentFromJson(e: ExperimentJson): Experiment {
  return {
    experimentId: String(e.experiment_id),
    name: e.name,
    artifactLocation: e.artifact_location ?? '',
    lifecycleStage: (e.lifecycle_stage ?? 'active') as LifecycleStage,
    creationTime: num(e.creation_time),
    lastUpdateTime: num(e.last_update_time),
    tags: kv(e.tags),
  };
}

// MLflow stores ±Inf as ±DBL_MAX and gives that back; graphtrace's model says ±Infinity.
const DBL_MAX = 1.7976931348623157e308;

export function metricValueFromJson(v: number | string | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'string') {
    if (v === 'NaN') return Number.NaN;
    if (v === 'Infinity') return Number.POSITIVE_INFINITY;
    if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
    return Number(v);
  }
  if (v >= DBL_MAX) return Number.POSITIVE_INFINITY;
  if (v <= -DBL_MAX) return Number.NEGATIVE_INFINITY;
  return v;
}

/** Protobuf JSON spells non-finite doubles as strings. */
export function metricValueToJson(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return v;
}

export function metricFromJson(m: MetricJson): Metric {
  return {
    key: m.key,
    value: metricValueFromJson(m.value),
    timestamp: num(m.timestamp) ?? 0,
    step: num(m.step) ?? 0,
  };
}

export function runInfoFromJson(i: RunJson['info']): RunInfo {
  return {
    runId: i.run_id ?? i.run_uuid ?? '',
    experimentId: String(i.experiment_id),
    runName: i.run_name ?? '',
    userId: i.user_id ?? '',
    status: (i.status ?? 'RUNNING') as RunStatus,
    startTime: num(i.start_time) ?? 0,
    endTime: num(i.end_time),
    artifactUri: i.artifact_uri ?? '',
    lifecycleStage: (i.lifecycle_stage ?? 'active') as LifecycleStage,
  };
}

export function runFromJson(r: RunJson): Run {
  return {
    info: runInfoFromJson(r.info),
    data: {
      params: kv(r.data?.params),
      metrics: (r.data?.metrics ?? []).map(metricFromJson),
      tags: kv(r.data?.tags),
    },
  };
}

/** RFC 3339 text → ms since epoch; fractions beyond ms are dropped. */
export function timestampToMs(text: string | undefined): number | null {
  if (!text) return null;
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? null : t;
  }
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const frac = m[2] ? Number(`0.${m[2]}`) : 0;
  return whole + Math.floor(frac * 1000 + 1e-6);
}

export function msToTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** Protobuf Duration text ("0.040s") → ms. */
export function durationToMs(text: string | undefined): number | null {
  if (!text) return null;
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(text);
  return m ? Math.round(Number(m[1]) * 1000) : null;
}

export function msToDuration(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

const TRACE_STATES = new Set(['OK', 'ERROR', 'IN_PROGRESS', 'STATE_UNSPECIFIED']);

export function traceInfoFromJson(t: TraceInfoJson): TraceInfo {
  const state =
    t.state && TRACE_STATES.has(t.state) ? (t.state as TraceState) : 'STATE_UNSPECIFIED';
  return {
    traceId: t.trace_id,
    clientRequestId: t.client_request_id ?? null,
    experimentId: t.trace_location?.mlflow_experiment?.experiment_id ?? '',
    requestTime: timestampToMs(t.request_time) ?? 0,
    executionDuration: durationToMs(t.execution_duration),
    state,
    requestPreview: t.request_preview ?? null,
    responsePreview: t.response_preview ?? null,
    traceMetadata: { ...t.trace_metadata },
    tags: { ...t.tags },
  };
}

export function traceInfoToJson(info: TraceInfo): TraceInfoJson {
  const json: TraceInfoJson = {
    trace_id: info.traceId,
    trace_location: {
      type: 'MLFLOW_EXPERIMENT',
      mlflow_experiment: { experiment_id: info.experimentId },
    },
    request_time: msToTimestamp(info.requestTime),
    state: info.state,
    trace_metadata: { ...info.traceMetadata },
    tags: { ...info.tags },
  };
  if (info.clientRequestId !== null) json.client_request_id = info.clientRequestId;
  if (info.executionDuration !== null)
    json.execution_duration = msToDuration(info.executionDuration);
  if (info.requestPreview !== null) json.request_preview = info.requestPreview;
  if (info.responsePreview !== null) json.response_preview = info.responsePreview;
  return json;
}

function expectationValue(e: NonNullable<AssessmentJson['expectation']>): unknown {
  if (e.serialized_value?.value !== undefined) {
    try {
      return JSON.parse(e.serialized_value.value);
    } catch {
      return e.serialized_value.value;
    }
  }
  return e.value ?? null;
}

export function assessmentFromJson(a: AssessmentJson): Assessment {
  const createTime = timestampToMs(a.create_time) ?? 0;
  const base = {
    assessmentId: a.assessment_id ?? '',
    traceId: a.trace_id ?? '',
    spanId: a.span_id || null,
    name: a.assessment_name,
    source: {
      sourceType: (a.source?.source_type ??
        'SOURCE_TYPE_UNSPECIFIED') as Assessment['source']['sourceType'],
      sourceId: a.source?.source_id ?? '',
    },
    rationale: a.rationale ?? null,
    metadata: { ...a.metadata },
    runId: a.metadata?.['mlflow.assessment.sourceRunId'] ?? null,
    createTime,
    lastUpdateTime: timestampToMs(a.last_update_time) ?? createTime,
    valid: a.valid ?? true,
    overriddenAssessmentId: a.overrides ?? null,
  };
  if (a.expectation)
    return { ...base, kind: 'expectation', value: expectationValue(a.expectation) };
  const err = a.feedback?.error ?? a.error;
  return {
    ...base,
    kind: 'feedback',
    value: a.feedback?.value ?? null,
    error: err?.error_code
      ? {
          errorCode: err.error_code,
          ...(err.error_message ? { errorMessage: err.error_message } : {}),
        }
      : null,
  };
}

export function assessmentToJson(a: NewAssessment): AssessmentJson {
  const json: AssessmentJson = {
    assessment_name: a.name,
    trace_id: a.traceId,
    source: { source_type: a.source.sourceType, source_id: a.source.sourceId },
  };
  if (a.spanId) json.span_id = a.spanId;
  if (a.rationale) json.rationale = a.rationale;
  const metadata = { ...a.metadata };
  if (a.runId) metadata['mlflow.assessment.sourceRunId'] = a.runId;
  if (Object.keys(metadata).length > 0) json.metadata = metadata;
  if (a.createTime !== undefined) json.create_time = msToTimestamp(a.createTime);
  if (a.kind === 'feedback') {
    json.feedback = { value: a.value ?? null };
    if (a.error)
      json.feedback.error = {
        error_code: a.error.errorCode,
        ...(a.error.errorMessage ? { error_message: a.error.errorMessage } : {}),
      };
  } else {
    json.expectation = { value: a.value ?? null };
  }
  return json;
}
