import type {
  OrderedTracesPage,
  OrderedTracesQuery,
  TraceOrderPosition,
  TraceSortKey,
} from '@graphtrace/core';
import { SpanType, TraceMetadataKey } from '@graphtrace/core';
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { SchemaLayout } from '../schema/layout.js';
import type { AnalyticsContext } from './context.js';
import { int, traceScopeWhere } from './scope.js';

/*
 * The trace list's orders that MLflow's `order_by` lacks: a trace's total cost or total tokens.
 * MLflow keeps both as JSON text in trace metadata (3.9–3.16) or, from 3.17, as `trace_info`
 * columns, so the value is computed per trace in SQL; pages follow by keyset (value, time, id)
 * rather than OFFSET, so a page never repeats or skips a trace when new ones arrive.
 */

/** A number from JSON text, or NULL (json_type raises on malformed JSON, so check first). */
function jsonNumber(text: RawBuilder<unknown>, path: string): RawBuilder<number | null> {
  return sql<number | null>`(CASE WHEN json_valid(${text}) THEN
    CASE WHEN json_type(${text}, ${path}) IN ('integer', 'real') THEN json_extract(${text}, ${path}) END END)`;
}

function metadataValue(key: string): RawBuilder<unknown> {
  return sql`(SELECT m.value FROM trace_request_metadata m
    WHERE m.request_id = trace_info.request_id AND m.key = ${key})`;
}

/**
 * The value a trace sorts by, as the dashboard shows it: `total_cost` of `mlflow.trace.cost`;
 * `total_tokens` of `mlflow.trace.tokenUsage`, else input + output (core's reading).
 */
function sortValue(layout: SchemaLayout, key: TraceSortKey): RawBuilder<number | null> {
  if (layout.traceAnalytics) {
    if (key === 'total_cost') return sql<number | null>`trace_info.total_cost`;
    return sql<
      number | null
    >`(CASE WHEN trace_info.total_tokens IS NOT NULL THEN trace_info.total_tokens
      WHEN trace_info.input_tokens IS NOT NULL OR trace_info.output_tokens IS NOT NULL
      THEN coalesce(trace_info.input_tokens, 0) + coalesce(trace_info.output_tokens, 0) END)`;
  }
  if (key === 'total_cost') return jsonNumber(metadataValue(TraceMetadataKey.COST), '$.total_cost');
  const usage = sql`u.value`;
  const total = jsonNumber(usage, '$.total_tokens');
  const input = jsonNumber(usage, '$.input_tokens');
  const output = jsonNumber(usage, '$.output_tokens');
  return sql<
    number | null
  >`(SELECT coalesce(${total}, CASE WHEN ${input} IS NOT NULL OR ${output} IS NOT NULL
      THEN coalesce(${input}, 0) + coalesce(${output}, 0) END)
    FROM trace_request_metadata u
    WHERE u.request_id = trace_info.request_id AND u.key = ${TraceMetadataKey.TOKEN_USAGE})`;
}

/**
 * The search box's match, as the dashboard's scan does it (text-search.ts): the trace id, or
 * the phrase in a preview. LIKE ignores case for ASCII letters only, as MLflow's own search
 * on SQLite does.
 */
function textWhere(text: string): RawBuilder<SqlBool> {
  const needle = text.trim().toLowerCase();
  const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`(trace_info.request_id IN (${needle}, ${`tr-${needle}`})
    OR trace_info.request_preview LIKE ${pattern} ESCAPE '\\'
    OR trace_info.response_preview LIKE ${pattern} ESCAPE '\\')`;
}

/** Rows after `p` in the order: traces with a value first, then by time and id, newest first. */
function afterWhere(p: TraceOrderPosition, descending: boolean): RawBuilder<SqlBool> {
  const later = sql<SqlBool>`(o.ts < ${int(p.time)} OR (o.ts = ${int(p.time)} AND o.id < ${p.traceId}))`;
  if (p.value === null) return sql<SqlBool>`(o.v IS NULL AND ${later})`;
  const beyond = descending ? sql`o.v < ${p.value}` : sql`o.v > ${p.value}`;
  return sql<SqlBool>`(o.v IS NULL OR ${beyond} OR (o.v = ${p.value} AND ${later}))`;
}

export async function orderedTraces(
  ctx: AnalyticsContext,
  q: OrderedTracesQuery,
): Promise<OrderedTracesPage> {
  const where = traceScopeWhere(q.scope, { time: false, layout: ctx.layout });
  if (!where || q.limit <= 0) return { rows: [], more: false };
  const text = q.text?.trim() ? sql` AND ${textWhere(q.text)}` : sql``;
  const after = q.after ? afterWhere(q.after, q.descending) : sql<SqlBool>`1`;
  // Materialized: each trace's value is computed once (the keyset test would compute it again).
  const rows = await ctx.all<{ id: string; ts: number; v: number | null }>(sql`
    WITH o AS MATERIALIZED (
      SELECT trace_info.request_id AS id, trace_info.timestamp_ms AS ts,
        ${sortValue(ctx.layout, q.key)} AS v
      FROM trace_info WHERE ${where}${text}
    )
    SELECT o.id AS id, o.ts AS ts, o.v AS v FROM o WHERE ${after}
    ORDER BY o.v IS NULL, o.v ${sql.raw(q.descending ? 'DESC' : 'ASC')}, o.ts DESC, o.id DESC
    LIMIT ${int(q.limit + 1)}`);
  return {
    rows: rows.slice(0, q.limit).map((r) => ({ traceId: r.id, time: r.ts, value: r.v })),
    more: rows.length > q.limit,
  };
}

/** Trace ids per statement (far below SQLite's bound-parameter limit). */
const IDS_PER_QUERY = 500;

/**
 * How many TOOL spans failed (status ERROR) in each of `traceIds`, through the spans' primary
 * key: a page of the trace list asks for its own rows only. Traces without one are left out.
 */
export async function failedToolCalls(
  ctx: AnalyticsContext,
  traceIds: readonly string[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const chunk of idChunks(traceIds)) {
    const rows = await ctx.all<{ id: string; n: number }>(sql`
      SELECT trace_id AS id, count(*) AS n FROM spans
      WHERE trace_id IN (${sql.join(chunk)}) AND type = ${SpanType.TOOL} AND status = 'ERROR'
      GROUP BY trace_id`);
    for (const r of rows) out[r.id] = r.n;
  }
  return out;
}

/** `traceIds` without repeats, in chunks of at most `IDS_PER_QUERY`. */
export function* idChunks(traceIds: readonly string[]): Generator<string[]> {
  const ids = [...new Set(traceIds)];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) yield ids.slice(i, i + IDS_PER_QUERY);
}
