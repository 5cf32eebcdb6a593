import {
  type DeleteTracesInput,
  GraphtraceError,
  MAX_PREVIEW_CHARS,
  mlflowSpanEncoder,
  type Span,
  type TraceInfo,
  TraceMetadataKey,
  type TraceState,
  TraceTagKey,
  truncatePreview,
} from '@graphtrace/core';
import type { StoreContext } from './context.js';
import { activeExperimentForWrite } from './experiments.js';
import { readTraceInfo } from './read-traces.js';
import { appendToUri, experimentIdNumber } from './values.js';

/** MLflow reads spans from the `spans` table only when the trace carries this tag value. */
export const SPANS_IN_TRACKING_STORE = 'TRACKING_STORE';
/** Spans per write transaction: bounds how long one batch holds the write lock. */
export const SPAN_CHUNK = 1000;
const TRACE_STATES: readonly TraceState[] = ['OK', 'ERROR', 'IN_PROGRESS', 'STATE_UNSPECIFIED'];
const TOKEN_KEYS = ['input_tokens', 'output_tokens', 'total_tokens'] as const;
const NS_PER_MS = 1_000_000n;

function invalid(message: string): GraphtraceError {
  return new GraphtraceError('INVALID_ARGUMENT', message);
}

/** `<experiment artifact location>/traces/<trace id>/artifacts`, as MLflow records it. */
function traceArtifactLocation(experimentArtifactLocation: string, traceId: string): string {
  return appendToUri(experimentArtifactLocation, 'traces', traceId, 'artifacts');
}

function upsertTraceTag(ctx: StoreContext, traceId: string, key: string, value: string): void {
  ctx.conn
    .stmt(
      'INSERT INTO trace_tags (key, value, request_id) VALUES (?, ?, ?) ON CONFLICT (key, request_id) DO UPDATE SET value = excluded.value',
    )
    .run(key, value, traceId);
}

function checkTraceId(traceId: unknown): asserts traceId is string {
  if (typeof traceId !== 'string' || traceId === '' || traceId.length > 50)
    throw invalid(
      `trace id must be a string of 1 to 50 characters (tr- + 32 hex), got ${JSON.stringify(traceId)}`,
    );
}

/** Token usage metadata → trace_metrics rows, as MLflow's start_trace writes them. */
function tokenMetrics(info: TraceInfo): [string, number][] {
  const raw = info.traceMetadata[TraceMetadataKey.TOKEN_USAGE];
  if (!raw) return [];
  try {
    const usage = JSON.parse(raw) as Record<string, unknown>;
    const out: [string, number][] = [];
    for (const key of TOKEN_KEYS) {
      const v = usage?.[key];
      if (v !== null && v !== undefined && Number.isFinite(Number(v))) out.push([key, Number(v)]);
    }
    return out;
  } catch {
    return []; // malformed usage is skipped, as MLflow does
  }
}

/**
 * MLflow's StartTraceV3 as an upsert: the info row is replaced, tags and metadata merged,
 * the spans-location and artifact-location tags set, token usage mirrored into trace_metrics.
 */
export async function startTrace(ctx: StoreContext, info: TraceInfo): Promise<TraceInfo> {
  checkTraceId(info.traceId);
  if (!TRACE_STATES.includes(info.state))
    throw invalid(`trace state must be one of ${TRACE_STATES.join(', ')}, got "${info.state}"`);
  if (!Number.isSafeInteger(info.requestTime))
    throw invalid(
      `trace ${info.traceId}: requestTime must be an integer (ms), got ${info.requestTime}`,
    );
  const duration = info.executionDuration;
  if (duration !== null && !Number.isSafeInteger(duration))
    throw invalid(
      `trace ${info.traceId}: executionDuration must be an integer (ms) or null, got ${duration}`,
    );
  const preview = (s: string | null) => (s === null ? null : truncatePreview(s, MAX_PREVIEW_CHARS));
  const metrics = tokenMetrics(info);
  const { conn } = ctx;
  return conn.write(() => {
    const experiment = activeExperimentForWrite(ctx, info.experimentId);
    conn
      .stmt(
        `INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status,
           client_request_id, request_preview, response_preview)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (request_id) DO UPDATE SET experiment_id = excluded.experiment_id,
           timestamp_ms = excluded.timestamp_ms, execution_time_ms = excluded.execution_time_ms,
           status = excluded.status, client_request_id = excluded.client_request_id,
           request_preview = excluded.request_preview, response_preview = excluded.response_preview`,
      )
      .run(
        info.traceId,
        experiment.experimentId,
        info.requestTime,
        duration,
        info.state,
        info.clientRequestId,
        preview(info.requestPreview),
        preview(info.responsePreview),
      );
    for (const [k, v] of Object.entries(info.tags)) upsertTraceTag(ctx, info.traceId, k, String(v));
    upsertTraceTag(ctx, info.traceId, TraceTagKey.SPANS_LOCATION, SPANS_IN_TRACKING_STORE);
    upsertTraceTag(
      ctx,
      info.traceId,
      TraceTagKey.ARTIFACT_LOCATION,
      traceArtifactLocation(experiment.artifactLocation, info.traceId),
    );
    const metadata = conn.stmt(
      'INSERT INTO trace_request_metadata (key, value, request_id) VALUES (?, ?, ?) ON CONFLICT (key, request_id) DO UPDATE SET value = excluded.value',
    );
    for (const [k, v] of Object.entries(info.traceMetadata))
      metadata.run(k, String(v), info.traceId);
    const metric = conn.stmt(
      'INSERT INTO trace_metrics (request_id, key, value) VALUES (?, ?, ?) ON CONFLICT (request_id, key) DO UPDATE SET value = excluded.value',
    );
    for (const [k, v] of metrics) metric.run(info.traceId, k, v);
    // The merged result, read in the same transaction.
    return readTraceInfo(ctx, info.traceId)!;
  });
}

interface SpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  type: string;
  status: string;
  start: bigint;
  end: bigint | null;
  content: string;
}

function encodeSpan(span: Span, index: number, toJson: (span: Span) => string): SpanRow {
  checkTraceId(span.traceId);
  if (typeof span.spanId !== 'string' || !/^[0-9a-f]{16}$/.test(span.spanId))
    throw invalid(
      `spans[${index}].spanId must be 16 lowercase hex characters, got ${JSON.stringify(span.spanId)}`,
    );
  if (typeof span.startTimeUnixNano !== 'bigint')
    throw invalid(`spans[${index}].startTimeUnixNano must be a bigint (ns since epoch)`);
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    type: span.spanType,
    status: span.status.code,
    start: span.startTimeUnixNano,
    end: span.endTimeUnixNano,
    content: toJson(span),
  };
}

/** One transaction's worth of spans: each trace's info row made or widened, the spans upserted. */
function writeSpanChunk(ctx: StoreContext, experimentId: string, chunk: SpanRow[]): void {
  const { conn } = ctx;
  const groups = new Map<string, SpanRow[]>();
  for (const s of chunk) {
    const g = groups.get(s.traceId);
    if (g) g.push(s);
    else groups.set(s.traceId, [s]);
  }
  let experiment: ReturnType<typeof activeExperimentForWrite> | undefined;
  const upsertSpan = conn.stmt(
    `INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status,
       start_time_unix_nano, end_time_unix_nano, content)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (trace_id, span_id) DO UPDATE SET parent_span_id = excluded.parent_span_id,
       name = excluded.name, type = excluded.type, status = excluded.status,
       start_time_unix_nano = excluded.start_time_unix_nano,
       end_time_unix_nano = excluded.end_time_unix_nano, content = excluded.content`,
  );
  for (const [traceId, spans] of groups) {
    let minStart = spans[0]!.start;
    let maxEnd: bigint | null = null;
    let root: SpanRow | undefined;
    for (const s of spans) {
      if (s.start < minStart) minStart = s.start;
      if (s.end !== null && (maxEnd === null || s.end > maxEnd)) maxEnd = s.end;
      if (s.parentSpanId === null) root = s;
    }
    // As MLflow's log_spans: whole ms, the status from the root (UNSET counts as OK).
    const startMs = Number(minStart / NS_PER_MS);
    const endMs = maxEnd === null ? null : Number(maxEnd / NS_PER_MS);
    const rootState = root ? (root.status === 'ERROR' ? 'ERROR' : 'OK') : null;

    const row = conn
      .stmt('SELECT experiment_id FROM trace_info WHERE request_id = ?')
      .get(traceId) as { experiment_id: number } | undefined;
    let traceExperiment: number;
    if (!row) {
      experiment ??= activeExperimentForWrite(ctx, experimentId);
      traceExperiment = experiment.experimentId;
      conn
        .stmt(
          `INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status,
             client_request_id, request_preview, response_preview)
           VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)`,
        )
        .run(
          traceId,
          traceExperiment,
          startMs,
          endMs === null ? null : endMs - startMs,
          rootState ?? 'IN_PROGRESS',
        );
      upsertTraceTag(
        ctx,
        traceId,
        TraceTagKey.ARTIFACT_LOCATION,
        traceArtifactLocation(experiment.artifactLocation, traceId),
      );
    } else {
      traceExperiment = row.experiment_id;
      // Widen the time range; take the root's status only while the trace is unfinished.
      conn
        .stmt(
          `UPDATE trace_info SET
             timestamp_ms = min(timestamp_ms, @start),
             execution_time_ms = CASE WHEN @end IS NULL THEN execution_time_ms
               ELSE max(coalesce(timestamp_ms + execution_time_ms, @end), @end) - min(timestamp_ms, @start) END,
             status = CASE WHEN @root IS NOT NULL AND status IN ('IN_PROGRESS', 'STATE_UNSPECIFIED') THEN @root ELSE status END
           WHERE request_id = @id`,
        )
        .run({ start: startMs, end: endMs, root: rootState, id: traceId });
    }
    for (const s of spans) {
      upsertSpan.run(
        s.traceId,
        traceExperiment,
        s.spanId,
        s.parentSpanId,
        s.name,
        s.type,
        s.status,
        s.start,
        s.end,
        s.content,
      );
    }
    upsertTraceTag(ctx, traceId, TraceTagKey.SPANS_LOCATION, SPANS_IN_TRACKING_STORE);
    // A trace whose info never arrives is still findable by name.
    if (root) {
      conn
        .stmt('INSERT OR IGNORE INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)')
        .run(TraceTagKey.TRACE_NAME, root.name, traceId);
    }
  }
}

/**
 * Spans of any traces of one experiment. JSON encoding happens before any lock is taken;
 * the rows are then written in transactions of at most SPAN_CHUNK spans.
 */
export async function logSpans(
  ctx: StoreContext,
  experimentId: string,
  spans: readonly Span[],
): Promise<void> {
  if (spans.length === 0) return;
  // One encoder for the call: values the spans share are encoded once.
  const toJson = mlflowSpanEncoder();
  const rows = spans.map((span, i) => encodeSpan(span, i, toJson));
  for (let i = 0; i < rows.length; i += SPAN_CHUNK) {
    const chunk = rows.slice(i, i + SPAN_CHUNK);
    await ctx.conn.write(() => writeSpanChunk(ctx, experimentId, chunk));
  }
}

export async function setTraceTag(
  ctx: StoreContext,
  traceId: string,
  key: string,
  value: string,
): Promise<void> {
  if (typeof key !== 'string' || key === '' || key.length > 250)
    throw invalid(`trace tag key must be 1 to 250 characters, got ${JSON.stringify(key)}`);
  await ctx.conn.write(() => {
    if (!ctx.conn.stmt('SELECT 1 FROM trace_info WHERE request_id = ?').get(traceId))
      throw new GraphtraceError('NOT_FOUND', `trace ${traceId} does not exist in ${ctx.uri}`);
    upsertTraceTag(ctx, traceId, key, String(value));
  });
}

/**
 * Deletes traces by id, or the oldest up to a time; the foreign keys cascade to tags, metadata,
 * metrics, assessments and spans.
 */
export async function deleteTraces(ctx: StoreContext, input: DeleteTracesInput): Promise<number> {
  const experiment = experimentIdNumber(input.experimentId);
  if (input.traceIds === undefined && input.maxTimestampMillis === undefined)
    throw invalid('deleteTraces needs traceIds or maxTimestampMillis');
  if (input.maxTraces !== undefined && !(Number.isInteger(input.maxTraces) && input.maxTraces > 0))
    throw invalid(`maxTraces must be a positive integer, got ${input.maxTraces}`);
  if (experiment === null) return 0;
  const ids = input.traceIds === undefined ? null : JSON.stringify(input.traceIds);
  return ctx.conn.write(() => {
    const info = ctx.conn
      .stmt(
        `DELETE FROM trace_info WHERE request_id IN (
           SELECT request_id FROM trace_info
           WHERE experiment_id = @experiment
             AND (@ids IS NULL OR request_id IN (SELECT value FROM json_each(@ids)))
             AND (@max IS NULL OR timestamp_ms <= @max)
           ORDER BY timestamp_ms, request_id
           LIMIT @limit)`,
      )
      .run({
        experiment,
        ids,
        max: input.maxTimestampMillis ?? null,
        limit: input.maxTraces ?? -1,
      });
    return info.changes;
  });
}
