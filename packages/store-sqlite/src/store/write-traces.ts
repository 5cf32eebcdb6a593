import {
  type DeleteTracesInput,
  GraphtraceError,
  MAX_PREVIEW_CHARS,
  type Span,
  type TraceInfo,
  TraceMetadataKey,
  type TraceState,
  TraceTagKey,
} from '@graphtrace/core';
import { mlflowSpanEncoder, truncatePreview } from '@graphtrace/core/store-kit';
import type { SchemaLayout } from '../schema/layout.js';
import {
  dimensionAttributesJson,
  PROMOTED_METADATA_KEYS,
  spanAnalyticsColumns,
  spanMetricRows,
  TRACE_NAME_MAX_CHARS,
  traceColumnsFromInfo,
} from './analytics-columns.js';
import type { StoreContext } from './context.js';
import { activeExperimentForWrite } from './experiments.js';
import { boundedString } from './mlflow-values.js';
import { readTraceInfo } from './read-traces.js';
import { enqueueRollups, type RollupPartition, rollupEligible } from './rollup-queue.js';
import { appendToUri, experimentIdNumber } from './values.js';

/** MLflow reads spans from the `spans` table only when the trace carries this tag value. */
export const SPANS_IN_TRACKING_STORE = 'TRACKING_STORE';
/** Spans per write transaction: bounds how long one batch holds the write lock. */
export const SPAN_CHUNK = 1000;
const TRACE_STATES: readonly TraceState[] = ['OK', 'ERROR', 'IN_PROGRESS', 'STATE_UNSPECIFIED'];
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
function tokenMetrics(info: TraceInfo, keys: readonly string[]): [string, number][] {
  const raw = info.traceMetadata[TraceMetadataKey.TOKEN_USAGE];
  if (!raw || keys.length === 0) return [];
  try {
    const usage = JSON.parse(raw) as Record<string, unknown>;
    const out: [string, number][] = [];
    for (const key of keys) {
      const v = usage?.[key];
      if (v !== null && v !== undefined && Number.isFinite(Number(v))) out.push([key, Number(v)]);
    }
    return out;
  } catch {
    return []; // malformed usage is skipped, as MLflow does
  }
}

const TRACE_BASE_COLUMNS = [
  'request_id',
  'experiment_id',
  'timestamp_ms',
  'execution_time_ms',
  'status',
  'client_request_id',
  'request_preview',
  'response_preview',
];

const SPAN_BASE_COLUMNS = [
  'trace_id',
  'experiment_id',
  'span_id',
  'parent_span_id',
  'name',
  'type',
  'status',
  'start_time_unix_nano',
  'end_time_unix_nano',
  'content',
];

const upserts = new Map<string, string>();

/**
 * `INSERT … ON CONFLICT (key) DO UPDATE` of `columns` (those in `kept` keep their stored value;
 * `more` is an extra assignment), built once per shape: the trace write path reuses the text.
 */
function upsertSql(
  table: string,
  columns: readonly string[],
  key: readonly string[],
  kept: readonly string[] = [],
  more = '',
): string {
  const id = `${table}|${columns.join(',')}|${more}`;
  let text = upserts.get(id);
  if (text === undefined) {
    const updates = columns
      .filter((c) => !key.includes(c) && !kept.includes(c))
      .map((c) => `${c} = excluded.${c}`);
    if (more) updates.push(more);
    text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
      ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
    upserts.set(id, text);
  }
  return text;
}

/** The partitions a trace's rows count in, for queueing rollup rebuilds (3.17 layout). */
function tracePartitions(experimentId: number, timestampMs: number): RollupPartition[] {
  return [
    { experimentId, timestampMs, family: 'trace_metric' },
    { experimentId, timestampMs, family: 'assessment' },
  ];
}

/** The span start days of a trace, as partitions of the span cost rollup. */
function spanCostPartitions(
  ctx: StoreContext,
  traceId: string,
  experimentIds: readonly number[],
): RollupPartition[] {
  const days = ctx.conn
    .stmt(
      'SELECT DISTINCT start_time_unix_nano / 86400000000000 * 86400000 AS day FROM spans WHERE trace_id = ?',
    )
    .all(traceId) as { day: number }[];
  return experimentIds.flatMap((experimentId) =>
    days.map((d) => ({ experimentId, timestampMs: d.day, family: 'span_cost' as const })),
  );
}

/**
 * MLflow's StartTraceV3 as an upsert: the info row is replaced, tags and metadata merged,
 * the spans-location and artifact-location tags set, and the token usage kept where the file's
 * MLflow release keeps it (trace_metrics rows, or from 3.17 the info's own columns).
 */
export async function startTrace(ctx: StoreContext, info: TraceInfo): Promise<TraceInfo> {
  return ctx.conn.write(startTraceWrite(ctx, info));
}

/**
 * startTrace's checks (they throw at once), then its writes as a function to run inside a write
 * transaction: the trace writer thread runs several calls' writes in one transaction.
 */
export function startTraceWrite(ctx: StoreContext, info: TraceInfo): () => TraceInfo {
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
  const { conn } = ctx;
  const layout = conn.layout;
  const metrics = tokenMetrics(info, layout.tokenMetricKeys);
  const columns = layout.traceAnalytics ? traceColumnsFromInfo(info) : {};
  const extra = Object.keys(columns);
  return () => {
    const experiment = activeExperimentForWrite(ctx, info.experimentId);
    // Only 3.17's layout moves a trace's rows, and needs the row as it was.
    const before = layout.traceAnalytics
      ? (conn
          .stmt('SELECT experiment_id, timestamp_ms FROM trace_info WHERE request_id = ?')
          .get(info.traceId) as { experiment_id: number; timestamp_ms: number } | undefined)
      : undefined;
    // A new row starts the payload count at its default 0; an info over an existing one counts.
    conn
      .stmt(
        upsertSql(
          'trace_info',
          [...TRACE_BASE_COLUMNS, ...extra],
          ['request_id'],
          [],
          layout.payloadGeneration ? 'db_payload_generation = db_payload_generation + 1' : '',
        ),
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
        ...extra.map((c) => columns[c as keyof typeof columns]),
      );
    for (const [k, v] of Object.entries(info.tags)) {
      if (layout.traceAnalytics && k === TraceTagKey.TRACE_NAME) continue;
      upsertTraceTag(ctx, info.traceId, k, String(v));
    }
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
    for (const [k, v] of Object.entries(info.traceMetadata)) {
      if (layout.traceAnalytics && PROMOTED_METADATA_KEYS.has(k)) continue;
      metadata.run(k, String(v), info.traceId);
    }
    if (layout.infoFinalized) metadata.run(TraceMetadataKey.INFO_FINALIZED, 'true', info.traceId);
    const metric = conn.stmt(
      'INSERT INTO trace_metrics (request_id, key, value) VALUES (?, ?, ?) ON CONFLICT (request_id, key) DO UPDATE SET value = excluded.value',
    );
    for (const [k, v] of metrics) metric.run(info.traceId, k, v);
    if (layout.traceAnalytics) {
      const partitions = tracePartitions(experiment.experimentId, info.requestTime);
      const moved =
        before !== undefined &&
        (before.experiment_id !== experiment.experimentId ||
          before.timestamp_ms !== info.requestTime);
      if (before && moved) {
        // The trace's spans and assessments follow it, as MLflow 3.17's conflict path moves them.
        conn
          .stmt('UPDATE spans SET experiment_id = ? WHERE trace_id = ? AND experiment_id != ?')
          .run(experiment.experimentId, info.traceId, experiment.experimentId);
        conn
          .stmt(
            'UPDATE assessments SET experiment_id = ?, trace_timestamp_ms = ? WHERE trace_id = ?',
          )
          .run(experiment.experimentId, info.requestTime, info.traceId);
        partitions.push(...tracePartitions(before.experiment_id, before.timestamp_ms));
        if (
          rollupEligible(Math.min(before.timestamp_ms, info.requestTime), ctx.now()) ||
          before.experiment_id !== experiment.experimentId
        )
          partitions.push(
            ...spanCostPartitions(ctx, info.traceId, [
              before.experiment_id,
              experiment.experimentId,
            ]),
          );
      }
      enqueueRollups(conn, partitions, ctx.now());
    }
    // The merged result, read in the same transaction.
    return readTraceInfo(ctx, info.traceId)!;
  };
}

/** A span encoded as its `spans` row (and 3.10–3.16 `span_metrics` rows). */
export interface SpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  type: string;
  status: string;
  start: bigint;
  end: bigint | null;
  content: string;
  /** The layout's extra span columns, in the order of spanExtraColumns(). */
  extra: unknown[];
  /** 3.10–3.16: the span's `span_metrics` rows. */
  metrics: [string, number][];
}

/** Extra `spans` columns a layout writes beside the 3.9 ones. */
function spanExtraColumns(layout: SchemaLayout): readonly string[] {
  if (layout.traceAnalytics)
    return ['input_cost', 'output_cost', 'total_cost', 'model_name', 'model_provider'];
  return layout.spanMetrics ? ['dimension_attributes'] : [];
}

function encodeSpan(
  span: Span,
  index: number,
  toJson: (span: Span) => string,
  layout: SchemaLayout,
): SpanRow {
  checkTraceId(span.traceId);
  if (typeof span.spanId !== 'string' || !/^[0-9a-f]{16}$/.test(span.spanId))
    throw invalid(
      `spans[${index}].spanId must be 16 lowercase hex characters, got ${JSON.stringify(span.spanId)}`,
    );
  if (typeof span.startTimeUnixNano !== 'bigint')
    throw invalid(`spans[${index}].startTimeUnixNano must be a bigint (ns since epoch)`);
  let extra: unknown[] = [];
  if (layout.traceAnalytics) {
    const c = spanAnalyticsColumns(span);
    extra = [c.input_cost, c.output_cost, c.total_cost, c.model_name, c.model_provider];
  } else if (layout.spanMetrics) extra = [dimensionAttributesJson(span)];
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
    extra,
    metrics: layout.spanMetrics ? spanMetricRows(span) : [],
  };
}

/**
 * One transaction's worth of spans (at most SPAN_CHUNK), to run inside a write transaction:
 * each trace's info row made or widened, the spans upserted.
 */
export function writeSpanChunk(
  ctx: StoreContext,
  experimentId: string,
  chunk: readonly SpanRow[],
): void {
  const { conn } = ctx;
  const layout = conn.layout;
  const now = ctx.now();
  const groups = new Map<string, SpanRow[]>();
  for (const s of chunk) {
    const g = groups.get(s.traceId);
    if (g) g.push(s);
    else groups.set(s.traceId, [s]);
  }
  let experiment: ReturnType<typeof activeExperimentForWrite> | undefined;
  const upsertSpan = conn.stmt(
    upsertSql(
      'spans',
      [...SPAN_BASE_COLUMNS, ...spanExtraColumns(layout)],
      ['trace_id', 'span_id'],
      ['experiment_id'],
    ),
  );
  const partitions: RollupPartition[] = [];
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
      .stmt('SELECT experiment_id, timestamp_ms FROM trace_info WHERE request_id = ?')
      .get(traceId) as { experiment_id: number; timestamp_ms: number } | undefined;
    let traceExperiment: number;
    let traceTimestamp: number;
    if (!row) {
      experiment ??= activeExperimentForWrite(ctx, experimentId);
      traceExperiment = experiment.experimentId;
      traceTimestamp = startMs;
      // The payload count and (3.17) the name go into the new row at once.
      conn
        .stmt(
          `INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status,
             client_request_id, request_preview, response_preview${
               layout.payloadGeneration ? ', db_payload_generation' : ''
             }${layout.traceAnalytics ? ', trace_name' : ''})
           VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL${layout.payloadGeneration ? ', 1' : ''}${
             layout.traceAnalytics ? ', ?' : ''
           })`,
        )
        .run(
          traceId,
          traceExperiment,
          startMs,
          endMs === null ? null : endMs - startMs,
          rootState ?? 'IN_PROGRESS',
          ...(layout.traceAnalytics
            ? [root ? boundedString(root.name, TRACE_NAME_MAX_CHARS) : null]
            : []),
        );
      upsertTraceTag(
        ctx,
        traceId,
        TraceTagKey.ARTIFACT_LOCATION,
        traceArtifactLocation(experiment.artifactLocation, traceId),
      );
    } else {
      traceExperiment = row.experiment_id;
      traceTimestamp = row.timestamp_ms;
      // From 3.12 a finalized info (start_trace ran) keeps its own times, as MLflow's log_spans.
      const finalized =
        layout.infoFinalized &&
        conn
          .stmt('SELECT 1 FROM trace_request_metadata WHERE request_id = ? AND key = ?')
          .get(traceId, TraceMetadataKey.INFO_FINALIZED) !== undefined;
      // Widen the time range; take the root's status only while the trace is unfinished.
      conn
        .stmt(
          `UPDATE trace_info SET
             timestamp_ms = CASE WHEN @finalized THEN timestamp_ms ELSE min(timestamp_ms, @start) END,
             execution_time_ms = CASE WHEN @end IS NULL OR @finalized THEN execution_time_ms
               ELSE max(coalesce(timestamp_ms + execution_time_ms, @end), @end) - min(timestamp_ms, @start) END,
             status = CASE WHEN @root IS NOT NULL AND status IN ('IN_PROGRESS', 'STATE_UNSPECIFIED') THEN @root ELSE status END
           WHERE request_id = @id`,
        )
        .run({
          start: startMs,
          end: endMs,
          root: rootState,
          id: traceId,
          finalized: finalized ? 1 : 0,
        });
      if (layout.traceAnalytics && !finalized && startMs < row.timestamp_ms) {
        traceTimestamp = startMs;
        conn
          .stmt('UPDATE assessments SET trace_timestamp_ms = ? WHERE trace_id = ?')
          .run(startMs, traceId);
      }
    }
    if (row && layout.payloadGeneration)
      conn
        .stmt(
          'UPDATE trace_info SET db_payload_generation = db_payload_generation + 1 WHERE request_id = ?',
        )
        .run(traceId);
    const upsertMetric = layout.spanMetrics
      ? conn.stmt(
          'INSERT INTO span_metrics (trace_id, span_id, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (trace_id, span_id, key) DO UPDATE SET value = excluded.value',
        )
      : undefined;
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
        ...s.extra,
      );
      for (const [k, v] of s.metrics) upsertMetric!.run(s.traceId, s.spanId, k, v);
      if (layout.traceAnalytics) {
        const startMsOfSpan = Number(s.start / NS_PER_MS);
        if (rollupEligible(startMsOfSpan, now))
          partitions.push({
            experimentId: traceExperiment,
            timestampMs: startMsOfSpan,
            family: 'span_cost',
          });
      }
    }
    upsertTraceTag(ctx, traceId, TraceTagKey.SPANS_LOCATION, SPANS_IN_TRACKING_STORE);
    // A trace whose info never arrives is still findable by name.
    if (root) {
      if (!layout.traceAnalytics)
        conn
          .stmt('INSERT OR IGNORE INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)')
          .run(TraceTagKey.TRACE_NAME, root.name, traceId);
      else if (row)
        conn
          .stmt('UPDATE trace_info SET trace_name = ? WHERE request_id = ? AND trace_name IS NULL')
          .run(boundedString(root.name, TRACE_NAME_MAX_CHARS), traceId);
    }
    if (layout.traceAnalytics) partitions.push(...tracePartitions(traceExperiment, traceTimestamp));
  }
  if (partitions.length > 0) enqueueRollups(conn, partitions, now);
}

/**
 * Validates and encodes spans as the rows a file of `layout` holds: no lock, no database. One
 * encoder for the call, so values the spans share are encoded once.
 */
export function encodeSpanRows(spans: readonly Span[], layout: SchemaLayout): SpanRow[] {
  const toJson = mlflowSpanEncoder();
  return spans.map((span, i) => encodeSpan(span, i, toJson, layout));
}

/** Writes encoded span rows in transactions of at most SPAN_CHUNK spans. */
export async function writeSpanRows(
  ctx: StoreContext,
  experimentId: string,
  rows: readonly SpanRow[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += SPAN_CHUNK) {
    const chunk = rows.slice(i, i + SPAN_CHUNK);
    await ctx.conn.write(() => writeSpanChunk(ctx, experimentId, chunk));
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
  await writeSpanRows(ctx, experimentId, encodeSpanRows(spans, ctx.conn.layout));
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
  const { conn } = ctx;
  const layout = conn.layout;
  return conn.write(() => {
    const victims = conn
      .stmt(
        `SELECT request_id, timestamp_ms FROM trace_info
         WHERE experiment_id = @experiment
           AND (@ids IS NULL OR request_id IN (SELECT value FROM json_each(@ids)))
           AND (@max IS NULL OR timestamp_ms <= @max)
         ORDER BY timestamp_ms, request_id
         LIMIT @limit`,
      )
      .all({
        experiment,
        ids,
        max: input.maxTimestampMillis ?? null,
        limit: input.maxTraces ?? -1,
      }) as { request_id: string; timestamp_ms: number }[];
    if (victims.length === 0) return 0;
    const victimIds = JSON.stringify(victims.map((v) => v.request_id));
    if (layout.traceAnalytics) {
      // The rollups of the days these traces counted in must be rebuilt without them.
      const partitions = victims.flatMap((v) => [
        ...tracePartitions(experiment, v.timestamp_ms),
        ...spanCostPartitions(ctx, v.request_id, [experiment]),
      ]);
      enqueueRollups(conn, partitions, ctx.now());
    }
    if (layout.reviewQueue)
      conn
        .stmt(
          `DELETE FROM review_queue_items WHERE item_type = 'trace'
             AND item_id IN (SELECT value FROM json_each(?))`,
        )
        .run(victimIds);
    // The foreign keys cascade to tags, metadata, metrics, assessments and spans.
    return conn
      .stmt('DELETE FROM trace_info WHERE request_id IN (SELECT value FROM json_each(?))')
      .run(victimIds).changes;
  });
}
