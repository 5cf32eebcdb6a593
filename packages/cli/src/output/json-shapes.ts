import {
  type Assessment,
  type Experiment,
  type Metric,
  type Run,
  readLlmCost,
  readTokenUsage,
  type Span,
  SpanAttributeKey,
  type Trace,
  type TraceInfo,
  TraceMetadataKey,
  TraceTagKey,
} from '@graphtrace/core';
import { spanToMlflowJson } from '@graphtrace/core/store-kit';
import { protoTimestamp } from './format.js';

/**
 * The JSON the CLI prints. Field names follow MLflow's Python entities (`to_dictionary()` /
 * `to_dict()`), so scripts written for MLflow read them unchanged. Documented in JSON_OUTPUT.md;
 * fields are only ever added.
 */

/** JSON has no NaN or infinities: they are written as MLflow's REST API writes them. */
export function jsonNumber(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

export function experimentJson(e: Experiment) {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    creation_time: e.creationTime,
    last_update_time: e.lastUpdateTime,
    tags: { ...e.tags },
  };
}

export function metricJson(m: Metric) {
  return { key: m.key, value: jsonNumber(m.value), timestamp: m.timestamp, step: m.step };
}

/** MLflow's `Run.to_dictionary()`: latest metric values by key, params and tags as maps. */
export function runJson(run: Run) {
  const i = run.info;
  const metrics: Record<string, number | string> = {};
  for (const m of run.data.metrics) metrics[m.key] = jsonNumber(m.value);
  return {
    info: {
      run_id: i.runId,
      run_name: i.runName,
      experiment_id: i.experimentId,
      user_id: i.userId,
      status: i.status,
      start_time: i.startTime,
      end_time: i.endTime,
      artifact_uri: i.artifactUri,
      lifecycle_stage: i.lifecycleStage,
    },
    data: { metrics, params: { ...run.data.params }, tags: { ...run.data.tags } },
  };
}

/** MLflow's `TraceInfo.to_dict()` (V3); absent values are null rather than left out. */
export function traceInfoJson(info: TraceInfo) {
  return {
    trace_id: info.traceId,
    client_request_id: info.clientRequestId,
    trace_location: {
      type: 'MLFLOW_EXPERIMENT',
      mlflow_experiment: { experiment_id: info.experimentId },
    },
    request_time: protoTimestamp(info.requestTime),
    state: info.state,
    trace_metadata: { ...info.traceMetadata },
    tags: { ...info.tags },
    request_preview: info.requestPreview,
    response_preview: info.responsePreview,
    execution_duration_ms: info.executionDuration,
  };
}

/**
 * A trace info for reading (`traces ls`, `traces show`): MLflow's form plus `cost`, what
 * MLflow's `TraceInfo.cost` property returns. Not for export: `TraceInfo.from_dict` rejects it.
 */
export function traceInfoViewJson(info: TraceInfo) {
  return { ...traceInfoJson(info), cost: traceCost(info) };
}

/**
 * One trace as MLflow's `Trace.to_json()`: `{"info": …, "data": {"spans": […]}}` with spans in
 * MLflow's span JSON (ns times written as exact integers, so this is assembled as text).
 */
export function mlflowTraceJson(trace: Trace): string {
  const spans = [...trace.spans].sort((a, b) =>
    a.startTimeUnixNano < b.startTimeUnixNano
      ? -1
      : a.startTimeUnixNano > b.startTimeUnixNano
        ? 1
        : 0,
  );
  return `{"info":${JSON.stringify(traceInfoJson(trace.info))},"data":{"spans":[${spans
    .map(spanToMlflowJson)
    .join(',')}]}}`;
}

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);

/** A span decoded for reading (`traces show --json`): hex ids, ns as strings, plain values. */
export function spanViewJson(span: Span, depth: number) {
  const {
    [SpanAttributeKey.INPUTS]: inputs,
    [SpanAttributeKey.OUTPUTS]: outputs,
    ...rest
  } = span.attributes;
  const durationNs =
    span.endTimeUnixNano === null ? null : span.endTimeUnixNano - span.startTimeUnixNano;
  return {
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    depth,
    name: span.name,
    span_type: span.spanType,
    start_time_unix_nano: String(span.startTimeUnixNano),
    end_time_unix_nano: span.endTimeUnixNano === null ? null : String(span.endTimeUnixNano),
    duration_ms: durationNs === null ? null : Number(durationNs) / 1e6,
    status: { code: span.status.code, message: span.status.message ?? '' },
    token_usage: readTokenUsage(span.attributes[SpanAttributeKey.CHAT_USAGE]),
    model: stringOrNull(span.attributes[SpanAttributeKey.MODEL]),
    provider: stringOrNull(span.attributes[SpanAttributeKey.MODEL_PROVIDER]),
    cost: readLlmCost(span.attributes[SpanAttributeKey.LLM_COST]),
    inputs: inputs ?? null,
    outputs: outputs ?? null,
    attributes: rest,
    events: span.events.map((e) => ({
      name: e.name,
      time_unix_nano: String(e.timeUnixNano),
      attributes: e.attributes,
    })),
  };
}

/** Token usage of a trace from its metadata, as MLflow records it. */
export function traceTokenUsage(info: TraceInfo) {
  return readTokenUsage(info.traceMetadata[TraceMetadataKey.TOKEN_USAGE]);
}

/** Cost of a trace in USD from its metadata; null when no model in it has a known price. */
export function traceCost(info: TraceInfo) {
  return readLlmCost(info.traceMetadata[TraceMetadataKey.COST]);
}

export function traceName(info: TraceInfo): string {
  return info.tags[TraceTagKey.TRACE_NAME] ?? '';
}

/** An assessment (feedback or expectation) as MLflow names its fields. */
export function assessmentJson(a: Assessment) {
  return {
    assessment_id: a.assessmentId,
    name: a.name,
    kind: a.kind,
    value: a.value,
    rationale: a.rationale,
    source: { source_type: a.source.sourceType, source_id: a.source.sourceId },
    span_id: a.spanId,
    run_id: a.runId,
    create_time: a.createTime,
    error: a.kind === 'feedback' ? a.error : null,
  };
}
