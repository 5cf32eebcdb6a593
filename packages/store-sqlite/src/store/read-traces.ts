import {
  type Page,
  parseFilter,
  parseOrderBy,
  type SearchTracesQuery,
  type Span,
  type Trace,
  type TraceInfo,
  type TraceState,
  TraceTagKey,
} from '@graphtrace/core';
import { type OrderByTerm, spanFromMlflowJson } from '@graphtrace/core/store-kit';
import { type Expression, type SqlBool, sql } from 'kysely';
import type { TraceInfoTable } from '../schema/database.js';
import type { SchemaLayout } from '../schema/layout.js';
import {
  COST_COLUMNS,
  compatibilityFromColumns,
  PROMOTED_METADATA_KEYS,
  TOKEN_COLUMNS,
  type TraceColumnsRow,
} from './analytics-columns.js';
import { compileTraceFilter, compileTraceOrder } from './compile-filter.js';
import type { StoreContext } from './context.js';
import { badPosition, decodePosition, nextPageToken, searchFingerprint } from './page-tokens.js';
import { checkMaxResults, experimentIdNumber, parseStringMap } from './values.js';

interface TraceRow extends TraceColumnsRow, TraceInfoTable {}

const TRACE_COLUMNS = [
  'trace_info.request_id',
  'trace_info.experiment_id',
  'trace_info.timestamp_ms',
  'trace_info.execution_time_ms',
  'trace_info.status',
  'trace_info.client_request_id',
  'trace_info.request_preview',
  'trace_info.response_preview',
] as const;

const TAGS_JSON = sql<
  string | null
>`(SELECT json_group_object(t.key, t.value) FROM trace_tags t WHERE t.request_id = trace_info.request_id)`;
const METADATA_JSON = sql<
  string | null
>`(SELECT json_group_object(m.key, m.value) FROM trace_request_metadata m WHERE m.request_id = trace_info.request_id)`;

/** From 3.17 MLflow shows name, session, tokens and costs from columns, not from old rows. */
const ANALYTICS_COLUMNS = ['trace_name', 'session_id', ...TOKEN_COLUMNS, ...COST_COLUMNS].map((c) =>
  sql.ref(`trace_info.${c}`).as(c),
);

function toTraceInfo(
  row: TraceRow,
  tagsJson: string | null,
  metadataJson: string | null,
  layout: SchemaLayout,
): TraceInfo {
  let tags = parseStringMap(tagsJson);
  let metadata = parseStringMap(metadataJson);
  if (layout.traceAnalytics) {
    const compat = compatibilityFromColumns(row);
    delete tags[TraceTagKey.TRACE_NAME];
    for (const k of PROMOTED_METADATA_KEYS) delete metadata[k];
    tags = { ...tags, ...compat.tags };
    metadata = { ...metadata, ...compat.metadata };
  }
  return {
    traceId: row.request_id,
    clientRequestId: row.client_request_id,
    experimentId: String(row.experiment_id),
    requestTime: row.timestamp_ms,
    executionDuration: row.execution_time_ms,
    state: row.status as TraceState,
    requestPreview: row.request_preview,
    responsePreview: row.response_preview,
    traceMetadata: metadata,
    tags,
  };
}

function infoColumns(layout: SchemaLayout) {
  return layout.traceAnalytics ? [...TRACE_COLUMNS, ...ANALYTICS_COLUMNS] : [...TRACE_COLUMNS];
}

function selectInfos(ctx: StoreContext) {
  return ctx.conn.kysely
    .selectFrom('trace_info')
    .select([...infoColumns(ctx.conn.layout), TAGS_JSON.as('tags'), METADATA_JSON.as('metadata')]);
}

/** Queries built once per layout (the 3.17 one reads more columns). */
const traceInfoSql = new Map<boolean, string>();
let extrasSql: string | undefined;
let spansSql: string | undefined;

/**
 * Tags and metadata of a page of traces, only for the page (not for every row the sort looked
 * at): one cached statement whatever the page size, the ids passed as one JSON array.
 */
function readTagsAndMetadata(
  ctx: StoreContext,
  page: TraceRow[],
): { request_id: string; tags: string | null; metadata: string | null }[] {
  extrasSql ??= ctx.conn.kysely
    .selectFrom('trace_info')
    .select(['trace_info.request_id', TAGS_JSON.as('tags'), METADATA_JSON.as('metadata')])
    .where('trace_info.request_id', 'in', sql<string>`(SELECT value FROM json_each(${''}))`)
    .compile().sql;
  return ctx.conn.stmt(extrasSql).all(JSON.stringify(page.map((r) => r.request_id))) as {
    request_id: string;
    tags: string | null;
    metadata: string | null;
  }[];
}

/**
 * One trace info, synchronously (also inside a write transaction): the query is built with
 * Kysely once and run as a cached prepared statement.
 */
export function readTraceInfo(ctx: StoreContext, traceId: string): TraceInfo | null {
  const layout = ctx.conn.layout;
  let text = traceInfoSql.get(layout.traceAnalytics);
  if (!text) {
    text = selectInfos(ctx).where('trace_info.request_id', '=', '').compile().sql;
    traceInfoSql.set(layout.traceAnalytics, text);
  }
  const row = ctx.conn.stmt(text).get(traceId) as
    | (TraceRow & { tags: string | null; metadata: string | null })
    | undefined;
  return row ? toTraceInfo(row, row.tags, row.metadata, layout) : null;
}

export function getTraceInfo(ctx: StoreContext, traceId: string): Promise<TraceInfo | null> {
  return ctx.conn.read(() => readTraceInfo(ctx, traceId));
}

interface SpanContentRow {
  start_time_unix_nano: bigint;
  end_time_unix_nano: bigint | null;
  content: string;
}

/**
 * MLflow's Python SDK writes exception events with times in µs (OpenTelemetry's ns divided by
 * 1000): an event more than 100× "earlier" than its span is read as µs.
 */
function fixEventTimes(span: Span): Span {
  for (const e of span.events) {
    if (e.timeUnixNano > 0n && e.timeUnixNano * 100n < span.startTimeUnixNano)
      e.timeUnixNano *= 1000n;
  }
  return span;
}

export async function getTrace(ctx: StoreContext, traceId: string): Promise<Trace | null> {
  const info = await getTraceInfo(ctx, traceId);
  if (!info) return null;
  // Built with Kysely once, run as a cached statement with safe integers: ns times exceed 2^53.
  spansSql ??= ctx.conn.kysely
    .selectFrom('spans')
    .select(['start_time_unix_nano', 'end_time_unix_nano', 'content'])
    .where('trace_id', '=', '')
    .orderBy('start_time_unix_nano')
    .orderBy(sql`parent_span_id IS NOT NULL`)
    .orderBy('span_id')
    .compile().sql;
  const statement = ctx.conn.stmt(spansSql).safeIntegers(true);
  const rows = await ctx.conn.read(() => statement.all(traceId) as SpanContentRow[]);
  const spans = rows.map((r) => {
    const span = spanFromMlflowJson(r.content);
    span.startTimeUnixNano = r.start_time_unix_nano;
    span.endTimeUnixNano = r.end_time_unix_nano;
    return fixEventTimes(span);
  });
  return { info, spans };
}

type KeyColumn = 'trace_info.timestamp_ms' | 'trace_info.request_id';

/**
 * The order as plain columns when it uses only NOT NULL columns that end in the unique trace
 * id: then pages resume after the last row (keyset) instead of at an offset.
 */
function keysetOrder(
  terms: readonly OrderByTerm[],
): { column: KeyColumn; ascending: boolean }[] | null {
  const keys: { column: KeyColumn; ascending: boolean }[] = [];
  for (const t of terms) {
    if (t.entity !== 'attribute' || (t.key !== 'timestamp_ms' && t.key !== 'trace_id')) return null;
    const column: KeyColumn =
      t.key === 'timestamp_ms' ? 'trace_info.timestamp_ms' : 'trace_info.request_id';
    if (keys.some((k) => k.column === column)) return null;
    keys.push({ column, ascending: t.ascending });
    if (column === 'trace_info.request_id') return keys;
  }
  if (!keys.some((k) => k.column === 'trace_info.timestamp_ms'))
    keys.push({ column: 'trace_info.timestamp_ms', ascending: false });
  keys.push({ column: 'trace_info.request_id', ascending: true });
  return keys;
}

export async function searchTraces(
  ctx: StoreContext,
  query: SearchTracesQuery,
): Promise<Page<TraceInfo>> {
  const filter = parseFilter(query.filter, 'traces');
  const terms = parseOrderBy(query.orderBy, 'traces');
  const maxResults = query.maxResults ?? 100;
  checkMaxResults(maxResults, 50_000);
  const experimentIds = [
    ...new Set(query.experimentIds.map(experimentIdNumber).filter((n): n is number => n !== null)),
  ];
  const fingerprint = searchFingerprint([
    'traces',
    [...experimentIds].sort((a, b) => a - b),
    query.filter ?? '',
    query.orderBy ?? [],
  ]);
  const keys = keysetOrder(terms);
  const position = decodePosition(query.pageToken, fingerprint, keys?.length ?? 0);
  if (experimentIds.length === 0) return { items: [], nextPageToken: null };

  const layout = ctx.conn.layout;
  let q = ctx.conn.kysely
    .selectFrom('trace_info')
    .select(infoColumns(layout))
    .where(
      'trace_info.experiment_id',
      experimentIds.length === 1 ? '=' : 'in',
      experimentIds.length === 1 ? experimentIds[0]! : experimentIds,
    );
  for (const clause of compileTraceFilter(filter, layout)) q = q.where(clause);

  if (keys) {
    for (const k of keys) q = q.orderBy(k.column, k.ascending ? 'asc' : 'desc');
    if (position.kind === 'offset') throw badPosition();
    if (position.kind === 'after') {
      const after = position.key;
      q = q.where((eb) => {
        // Lexicographic "after": (k1 beyond v1) OR (k1 = v1 AND k2 beyond v2) …, plus a bound
        // on k1 alone so SQLite can use the (experiment_id, timestamp_ms) index as a range.
        const beyond = (i: number) =>
          eb(keys[i]!.column, keys[i]!.ascending ? '>' : '<', after[i] as never);
        const branches: Expression<SqlBool>[] = keys.map((_, i) =>
          eb.and([
            ...keys.slice(0, i).map((k, j) => eb(k.column, '=', after[j] as never)),
            beyond(i),
          ]),
        );
        const first = keys[0]!;
        return eb.and([
          eb(first.column, first.ascending ? '>=' : '<=', after[0] as never),
          eb.or(branches),
        ]);
      });
    }
  } else {
    const order = compileTraceOrder(terms, layout);
    for (const s of order.selects) q = q.select(s.expression.as(s.alias));
    for (const o of order.orders) q = q.orderBy(o.expression, o.direction);
    if (position.kind === 'after') throw badPosition();
    if (position.kind === 'offset') q = q.offset(position.offset);
  }

  const limited = q.limit(maxResults + 1).compile();
  const rows = (await ctx.conn.read(() => ctx.conn.all(limited))) as TraceRow[];
  const page = rows.slice(0, maxResults);
  const extras = page.length === 0 ? [] : await ctx.conn.read(() => readTagsAndMetadata(ctx, page));
  const byId = new Map(extras.map((e) => [e.request_id, e]));
  return {
    items: page.map((r) => {
      const e = byId.get(r.request_id);
      return toTraceInfo(r, e?.tags ?? null, e?.metadata ?? null, layout);
    }),
    nextPageToken: nextPageToken(
      fingerprint,
      position,
      rows,
      maxResults,
      keys
        ? (last) =>
            keys.map((k) =>
              k.column === 'trace_info.timestamp_ms' ? last.timestamp_ms : last.request_id,
            )
        : null,
    ),
  };
}
