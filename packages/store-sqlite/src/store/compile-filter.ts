import { RunTagKey, TraceMetadataKey, TraceTagKey } from '@graphtrace/core';
import type {
  FilterComparison,
  FilterExpression,
  FilterOp,
  FilterValue,
  OrderByTerm,
} from '@graphtrace/core/store-kit';
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { SchemaLayout } from '../schema/layout.js';
import { COST_COLUMNS, TOKEN_COLUMNS } from './analytics-columns.js';

/*
 * Compiles core's filter AST into SQL fragments for Kysely. Every value and every key from
 * the filter is a bound parameter; only column and table names we choose reach the SQL text.
 */

/**
 * MLflow's LIKE is case-sensitive, SQLite's is not (for ASCII): a LIKE pattern becomes a GLOB
 * pattern, which is case-sensitive. `%` → `*`, `_` → `?`, and GLOB's own metacharacters are
 * made literal by wrapping them in a one-character class.
 */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/** `<ref> <op> <value>` with the value bound. */
export function comparison(
  ref: RawBuilder<unknown>,
  op: FilterOp,
  value: FilterValue,
): RawBuilder<SqlBool> {
  switch (op) {
    case '=':
      return sql<SqlBool>`${ref} = ${value}`;
    case '!=':
      return sql<SqlBool>`${ref} != ${value}`;
    case '<':
      return sql<SqlBool>`${ref} < ${value}`;
    case '>':
      return sql<SqlBool>`${ref} > ${value}`;
    case '<=':
      return sql<SqlBool>`${ref} <= ${value}`;
    case '>=':
      return sql<SqlBool>`${ref} >= ${value}`;
    case 'LIKE':
      return sql<SqlBool>`${ref} GLOB ${likeToGlob(String(value))}`;
    case 'ILIKE':
      // Lower-casing both sides keeps ILIKE case-insensitive even on a connection where
      // someone turned case_sensitive_like on.
      return sql<SqlBool>`lower(${ref}) LIKE lower(${String(value)})`;
    case 'IN':
      return sql<SqlBool>`${ref} IN (${sql.join(value as string[])})`;
    case 'NOT IN':
      return sql<SqlBool>`${ref} NOT IN (${sql.join(value as string[])})`;
  }
}

/** A key/value table correlated with the outer row: does a row with that key match? */
function keyValueExists(
  table: 'trace_tags' | 'trace_request_metadata' | 'tags' | 'params',
  owner: 'trace_info.request_id' | 'runs.run_uuid',
  key: string,
  op: FilterOp,
  value: FilterValue,
): RawBuilder<SqlBool> {
  const fk = table === 'tags' || table === 'params' ? 'run_uuid' : 'request_id';
  return sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.table(table)} kv WHERE kv.${sql.ref(fk)} = ${sql.ref(owner)} AND kv.key = ${key} AND ${comparison(sql.ref('kv.value'), op, value)})`;
}

/**
 * MLflow's run_id trace filter: the run is named in the trace metadata, or the trace is
 * linked to it in entity_associations.
 */
function traceOfRun(runId: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(EXISTS (SELECT 1 FROM trace_request_metadata kv WHERE kv.request_id = trace_info.request_id AND kv.key = ${TraceMetadataKey.SOURCE_RUN} AND kv.value = ${runId}) OR EXISTS (SELECT 1 FROM entity_associations ea WHERE ea.source_type = ${'trace'} AND ea.source_id = trace_info.request_id AND ea.destination_type = ${'run'} AND ea.destination_id = ${runId}))`;
}

const TRACE_COLUMNS: Record<string, string> = {
  status: 'trace_info.status',
  timestamp_ms: 'trace_info.timestamp_ms',
  execution_time_ms: 'trace_info.execution_time_ms',
  trace_id: 'trace_info.request_id',
  client_request_id: 'trace_info.client_request_id',
};

/**
 * The JSON MLflow 3.17 shows for token usage or cost from a trace's columns (Python's
 * json.dumps spelling), or NULL: what a filter on that metadata key compares against.
 */
function columnsJson(columns: readonly string[]): RawBuilder<unknown> {
  const parts = columns.map(
    (c) => sql`coalesce(${`, "${c}": `} || ${sql.ref(`trace_info.${c}`)}, '')`,
  );
  const any = sql.join(
    columns.map((c) => sql.ref(`trace_info.${c}`)),
    sql`, `,
  );
  return sql`(CASE WHEN coalesce(${any}) IS NULL THEN NULL ELSE '{' || substr(${sql.join(parts, sql` || `)}, 3) || '}' END)`;
}

/**
 * Where a trace tag or metadata key lives in a 3.17 database (a trace_info column, or JSON made
 * from columns); undefined for keys that stay rows.
 */
function promotedValue(
  entity: 'tag' | 'metadata',
  key: string,
  layout: SchemaLayout,
): RawBuilder<unknown> | undefined {
  if (!layout.traceAnalytics) return undefined;
  if (entity === 'tag')
    return key === TraceTagKey.TRACE_NAME ? sql.ref('trace_info.trace_name') : undefined;
  if (key === TraceMetadataKey.SESSION) return sql.ref('trace_info.session_id');
  if (key === TraceMetadataKey.TOKEN_USAGE) return columnsJson(TOKEN_COLUMNS);
  if (key === TraceMetadataKey.COST) return columnsJson(COST_COLUMNS);
  return undefined;
}

/** A comparison on a promoted value: IS NULL / IS NOT NULL as presence, like a missing row. */
function promotedComparison(
  value: RawBuilder<unknown>,
  op: FilterOp,
  operand: FilterValue,
): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${value} IS NOT NULL AND ${comparison(value, op, operand)})`;
}

function traceClause(c: FilterComparison, layout: SchemaLayout): RawBuilder<SqlBool> {
  if (c.entity === 'tag' || c.entity === 'metadata') {
    const promoted = promotedValue(c.entity, c.key, layout);
    if (promoted) return promotedComparison(promoted, c.op, c.value);
  }
  if (c.entity === 'tag')
    return keyValueExists('trace_tags', 'trace_info.request_id', c.key, c.op, c.value);
  if (c.entity === 'metadata') {
    if (c.key === TraceMetadataKey.SOURCE_RUN && c.op === '=') return traceOfRun(String(c.value));
    return keyValueExists('trace_request_metadata', 'trace_info.request_id', c.key, c.op, c.value);
  }
  // Attributes that MLflow keeps in tags or metadata (or, from 3.17, a column).
  if (c.key === 'name') {
    const promoted = promotedValue('tag', TraceTagKey.TRACE_NAME, layout);
    if (promoted) return promotedComparison(promoted, c.op, c.value);
    return keyValueExists(
      'trace_tags',
      'trace_info.request_id',
      TraceTagKey.TRACE_NAME,
      c.op,
      c.value,
    );
  }
  if (c.key === 'run_id') {
    if (c.op === '=') return traceOfRun(String(c.value));
    return keyValueExists(
      'trace_request_metadata',
      'trace_info.request_id',
      TraceMetadataKey.SOURCE_RUN,
      c.op,
      c.value,
    );
  }
  const column = TRACE_COLUMNS[c.key];
  if (!column) throw new Error(`compile-filter: no column for trace attribute ${c.key}`);
  return comparison(sql.ref(column), c.op, c.value);
}

export function compileTraceFilter(
  expr: FilterExpression,
  layout: SchemaLayout,
): RawBuilder<SqlBool>[] {
  return expr.clauses.map((c) => traceClause(c, layout));
}

const RUN_COLUMNS: Record<string, string> = {
  status: 'runs.status',
  start_time: 'runs.start_time',
  end_time: 'runs.end_time',
  run_id: 'runs.run_uuid',
  user_id: 'runs.user_id',
  artifact_uri: 'runs.artifact_uri',
  run_name: 'runs.name',
};

function runClause(c: FilterComparison): RawBuilder<SqlBool> {
  switch (c.entity) {
    case 'tag':
      return keyValueExists('tags', 'runs.run_uuid', c.key, c.op, c.value);
    case 'param':
      return keyValueExists('params', 'runs.run_uuid', c.key, c.op, c.value);
    case 'metric':
      // NaN is stored as 0: it must not compare equal to (or less than) anything.
      return sql<SqlBool>`EXISTS (SELECT 1 FROM latest_metrics lm WHERE lm.run_uuid = runs.run_uuid AND lm.key = ${c.key} AND lm.is_nan = 0 AND ${comparison(sql.ref('lm.value'), c.op, c.value)})`;
    default:
      // As MLflow: the run name is matched on the mlflow.runName tag (old runs lack the column).
      if (c.key === 'run_name')
        return keyValueExists('tags', 'runs.run_uuid', RunTagKey.RUN_NAME, c.op, c.value);
      if (!RUN_COLUMNS[c.key])
        throw new Error(`compile-filter: no column for run attribute ${c.key}`);
      return comparison(sql.ref(RUN_COLUMNS[c.key]!), c.op, c.value);
  }
}

export function compileRunFilter(expr: FilterExpression): RawBuilder<SqlBool>[] {
  return expr.clauses.map(runClause);
}

/** One ORDER BY term as SQL: the sort keys in order (NULL-last flags included). */
export interface CompiledOrder {
  /** Extra select-list entries (correlated subqueries), aliased `o<i>` / `n<i>`. */
  selects: { expression: RawBuilder<unknown>; alias: string }[];
  /** ORDER BY entries. */
  orders: { expression: RawBuilder<unknown>; direction: 'asc' | 'desc' }[];
}

function keyValueLookup(
  table: 'trace_tags' | 'trace_request_metadata' | 'tags' | 'params' | 'latest_metrics',
  owner: 'trace_info.request_id' | 'runs.run_uuid',
  key: string,
  column: 'value' | 'is_nan' = 'value',
): RawBuilder<unknown> {
  const fk = owner === 'runs.run_uuid' ? 'run_uuid' : 'request_id';
  return sql`(SELECT kv.${sql.ref(column)} FROM ${sql.table(table)} kv WHERE kv.${sql.ref(fk)} = ${sql.ref(owner)} AND kv.key = ${key})`;
}

/**
 * Orders as MLflow does: every term sorts missing values last whatever the direction; metrics
 * sort NaN after numbers and before missing; then the default tie-breakers.
 */
export function compileTraceOrder(
  terms: readonly OrderByTerm[],
  layout: SchemaLayout,
): CompiledOrder {
  const out: CompiledOrder = { selects: [], orders: [] };
  let hasTimestamp = false;
  let hasId = false;
  terms.forEach((t, i) => {
    let value: RawBuilder<unknown>;
    const promoted =
      t.entity === 'tag' || t.entity === 'metadata'
        ? promotedValue(t.entity, t.key, layout)
        : t.key === 'name'
          ? promotedValue('tag', TraceTagKey.TRACE_NAME, layout)
          : undefined;
    if (promoted) value = promoted;
    else if (t.entity === 'tag')
      value = keyValueLookup('trace_tags', 'trace_info.request_id', t.key);
    else if (t.entity === 'metadata')
      value = keyValueLookup('trace_request_metadata', 'trace_info.request_id', t.key);
    else if (t.key === 'name')
      value = keyValueLookup('trace_tags', 'trace_info.request_id', TraceTagKey.TRACE_NAME);
    else if (t.key === 'run_id')
      value = keyValueLookup(
        'trace_request_metadata',
        'trace_info.request_id',
        TraceMetadataKey.SOURCE_RUN,
      );
    else {
      hasTimestamp ||= t.key === 'timestamp_ms';
      hasId ||= t.key === 'trace_id';
      value = sql.ref(TRACE_COLUMNS[t.key]!);
    }
    const alias = `o${i}`;
    out.selects.push({ expression: value, alias });
    out.orders.push({ expression: sql`${sql.ref(alias)} IS NULL`, direction: 'asc' });
    out.orders.push({ expression: sql.ref(alias), direction: t.ascending ? 'asc' : 'desc' });
  });
  if (!hasTimestamp)
    out.orders.push({ expression: sql.ref('trace_info.timestamp_ms'), direction: 'desc' });
  if (!hasId) out.orders.push({ expression: sql.ref('trace_info.request_id'), direction: 'asc' });
  return out;
}

export function compileRunOrder(terms: readonly OrderByTerm[]): CompiledOrder {
  const out: CompiledOrder = { selects: [], orders: [] };
  let hasStart = false;
  terms.forEach((t, i) => {
    const alias = `o${i}`;
    const direction = t.ascending ? 'asc' : 'desc';
    if (t.entity === 'metric') {
      const nan = `n${i}`;
      out.selects.push({
        expression: keyValueLookup('latest_metrics', 'runs.run_uuid', t.key),
        alias,
      });
      out.selects.push({
        expression: keyValueLookup('latest_metrics', 'runs.run_uuid', t.key, 'is_nan'),
        alias: nan,
      });
      out.orders.push({
        expression: sql`CASE WHEN ${sql.ref(nan)} = 1 THEN 1 WHEN ${sql.ref(alias)} IS NULL THEN 2 ELSE 0 END`,
        direction: 'asc',
      });
      out.orders.push({ expression: sql.ref(alias), direction });
      return;
    }
    let value: RawBuilder<unknown>;
    if (t.entity === 'tag') value = keyValueLookup('tags', 'runs.run_uuid', t.key);
    else if (t.entity === 'param') value = keyValueLookup('params', 'runs.run_uuid', t.key);
    else {
      hasStart ||= t.key === 'start_time';
      value = sql.ref(RUN_COLUMNS[t.key]!);
    }
    out.selects.push({ expression: value, alias });
    out.orders.push({ expression: sql`${sql.ref(alias)} IS NULL`, direction: 'asc' });
    out.orders.push({ expression: sql.ref(alias), direction });
  });
  if (!hasStart) out.orders.push({ expression: sql.ref('runs.start_time'), direction: 'desc' });
  out.orders.push({ expression: sql.ref('runs.run_uuid'), direction: 'asc' });
  return out;
}
