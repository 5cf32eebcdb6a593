import {
  AgentMetadataKey,
  type Assessment,
  type Metric,
  type Run,
  readLlmCost,
  readTokenUsage,
  type Span,
  SpanAttributeKey,
  type TraceInfo,
  TraceMetadataKey,
  TraceTagKey,
} from '@graphtrace/core';
import type {
  AssessmentView,
  CostUsd,
  MetricView,
  RunView,
  SpanView,
  TokenCounts,
  TraceDetailResponse,
  TraceRow,
} from './types.js';

/** Characters of request/response preview in trace lists. */
const ROW_PREVIEW_CHARS = 300;
const NS_PER_MS = 1_000_000;

function cut(s: string | null, max: number): string | null {
  return s === null || s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Token usage, an object (span attribute) or its JSON text (trace metadata). */
function tokensFrom(value: unknown): TokenCounts | null {
  const u = readTokenUsage(value);
  if (!u) return null;
  return {
    input: u.input_tokens,
    output: u.output_tokens,
    total: u.total_tokens,
    ...(u.cache_read_input_tokens === undefined ? {} : { cacheRead: u.cache_read_input_tokens }),
    ...(u.cache_creation_input_tokens === undefined
      ? {}
      : { cacheCreation: u.cache_creation_input_tokens }),
  };
}

/** A recorded cost (object or JSON text); null when there is none: unpriced is not $0. */
function costFrom(value: unknown): CostUsd | null {
  const c = readLlmCost(value);
  return c ? { input: c.input_cost, output: c.output_cost, total: c.total_cost } : null;
}

function counter(info: TraceInfo, key: string): number | null {
  const raw = info.traceMetadata[key];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

export function traceRow(info: TraceInfo, previewChars = ROW_PREVIEW_CHARS): TraceRow {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(info.tags)) if (!k.startsWith('mlflow.')) tags[k] = v;
  return {
    traceId: info.traceId,
    experimentId: info.experimentId,
    name: info.tags[TraceTagKey.TRACE_NAME] ?? null,
    time: info.requestTime,
    durationMs: info.executionDuration,
    state: info.state,
    tokens: tokensFrom(info.traceMetadata[TraceMetadataKey.TOKEN_USAGE]),
    cost: costFrom(info.traceMetadata[TraceMetadataKey.COST]),
    session: info.traceMetadata[TraceMetadataKey.SESSION] ?? null,
    user: info.traceMetadata[TraceMetadataKey.USER] ?? null,
    runId: info.traceMetadata[TraceMetadataKey.SOURCE_RUN] ?? null,
    tags,
    requestPreview: cut(info.requestPreview, previewChars),
    responsePreview: cut(info.responsePreview, previewChars),
    llmCalls: counter(info, AgentMetadataKey.LLM_CALLS),
    toolCalls: counter(info, AgentMetadataKey.TOOL_CALLS),
    pause: pauseOf(info.traceMetadata),
  };
}

/** autolog's trace metadata for LangGraph interrupts and resumes (its README, "What is recorded"). */
function pauseOf(metadata: Record<string, string>): TraceRow['pause'] {
  const interrupted = metadata['langgraph.interrupted'] === 'true';
  const resumed = metadata['langgraph.resumed'] === 'true';
  if (!interrupted && !resumed) return null;
  return { interrupted, resumed, resumedFrom: metadata['langgraph.resumed_from'] ?? null };
}

export function traceDetail(info: TraceInfo): TraceDetailResponse['trace'] {
  return {
    ...traceRow(info, Number.POSITIVE_INFINITY),
    clientRequestId: info.clientRequestId,
    metadata: info.traceMetadata,
    allTags: info.tags,
  };
}

/** Attributes shown elsewhere in the span view, or only bookkeeping. */
const HIDDEN_ATTRIBUTES = new Set<string>([
  SpanAttributeKey.INPUTS,
  SpanAttributeKey.OUTPUTS,
  SpanAttributeKey.TRACE_ID,
  SpanAttributeKey.SPAN_TYPE,
]);

/** Spans with times relative to the earliest span start (ns are strings: they exceed 2^53). */
export function spanViews(spans: readonly Span[]): SpanView[] {
  if (spans.length === 0) return [];
  let origin = spans[0]!.startTimeUnixNano;
  for (const s of spans) if (s.startTimeUnixNano < origin) origin = s.startTimeUnixNano;
  const offset = (ns: bigint) => Number(ns - origin) / NS_PER_MS;
  return spans.map((s) => {
    const attributes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.attributes))
      if (!HIDDEN_ATTRIBUTES.has(k)) attributes[k] = v;
    const model = s.attributes[SpanAttributeKey.MODEL];
    const provider = s.attributes[SpanAttributeKey.MODEL_PROVIDER];
    return {
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      name: s.name,
      spanType: s.spanType,
      startNs: s.startTimeUnixNano.toString(),
      endNs: s.endTimeUnixNano === null ? null : s.endTimeUnixNano.toString(),
      offsetMs: offset(s.startTimeUnixNano),
      durationMs:
        s.endTimeUnixNano === null
          ? null
          : Number(s.endTimeUnixNano - s.startTimeUnixNano) / NS_PER_MS,
      status: s.status.message
        ? { code: s.status.code, message: s.status.message }
        : { code: s.status.code },
      ...(SpanAttributeKey.INPUTS in s.attributes
        ? { inputs: s.attributes[SpanAttributeKey.INPUTS] }
        : {}),
      ...(SpanAttributeKey.OUTPUTS in s.attributes
        ? { outputs: s.attributes[SpanAttributeKey.OUTPUTS] }
        : {}),
      attributes: jsonSafe(attributes) as Record<string, unknown>,
      events: s.events.map((e) => ({
        name: e.name,
        offsetMs: offset(e.timeUnixNano),
        attributes: jsonSafe(e.attributes) as Record<string, unknown>,
      })),
      links: (s.links ?? []).map((l) => ({
        traceId: l.traceId,
        spanId: l.spanId,
        attributes: l.attributes && (jsonSafe(l.attributes) as Record<string, unknown>),
      })),
      tokens: tokensFrom(s.attributes[SpanAttributeKey.CHAT_USAGE]),
      model: typeof model === 'string' ? model : null,
      provider: typeof provider === 'string' ? provider : null,
      cost: costFrom(s.attributes[SpanAttributeKey.LLM_COST]),
    };
  });
}

/** bigints (OpenTelemetry attributes may hold them) become decimal strings in JSON. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}

export function assessmentView(a: Assessment & { traceName?: string | null }): AssessmentView {
  return {
    assessmentId: a.assessmentId,
    traceId: a.traceId,
    spanId: a.spanId,
    name: a.name,
    kind: a.kind,
    value: a.value,
    error: a.kind === 'feedback' ? a.error : null,
    rationale: a.rationale,
    source: a.source,
    metadata: a.metadata,
    runId: a.runId,
    createTime: a.createTime,
    lastUpdateTime: a.lastUpdateTime,
    valid: a.valid,
    ...(a.traceName === undefined ? {} : { traceName: a.traceName }),
  };
}

export function metricView(m: Metric): MetricView {
  return {
    key: m.key,
    value: Number.isFinite(m.value) ? m.value : null,
    text: Number.isNaN(m.value) ? 'NaN' : String(m.value),
    step: m.step,
    timestamp: m.timestamp,
  };
}

export function runView(run: Run): RunView {
  const i = run.info;
  return {
    runId: i.runId,
    runName: i.runName,
    experimentId: i.experimentId,
    status: i.status,
    userId: i.userId,
    startTime: i.startTime,
    endTime: i.endTime,
    params: run.data.params,
    metrics: run.data.metrics.map(metricView).sort((a, b) => a.key.localeCompare(b.key)),
    tags: run.data.tags,
  };
}
