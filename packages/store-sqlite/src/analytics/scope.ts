import type { CountScope, QueryScope } from '@graphtrace/core';
import { parseFilter } from '@graphtrace/core';
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { layoutOf, type SchemaLayout } from '../schema/layout.js';
import { DEFAULT_SCHEMA_REVISION } from '../schema/revisions.js';
import { compileTraceFilter } from '../store/compile-filter.js';
import { experimentIdNumber } from '../store/values.js';

/**
 * The WHERE clause of `trace_info` rows in a scope, for queries that name the table
 * `trace_info` (the compiled filter refers to it). Experiment and time bounds come first so
 * SQLite ranges over the (experiment_id, timestamp_ms) index; every value is a bound parameter.
 * Throws `FilterSyntaxError` for a bad filter, before any SQL runs.
 */
export function traceScopeWhere(
  scope: CountScope & Partial<Pick<QueryScope, 'from' | 'to'>>,
  options: { time?: boolean; layout?: SchemaLayout } = {},
): RawBuilder<SqlBool> | null {
  const filter = parseFilter(scope.filter, 'traces');
  const ids = experimentNumbers(scope.experimentIds);
  if (ids.length === 0) return null;
  const parts: RawBuilder<SqlBool>[] = [
    ids.length === 1
      ? sql<SqlBool>`trace_info.experiment_id = ${ids[0]!}`
      : sql<SqlBool>`trace_info.experiment_id IN (${sql.join(ids)})`,
  ];
  if (options.time !== false && scope.from !== undefined && scope.to !== undefined) {
    parts.push(sql<SqlBool>`trace_info.timestamp_ms >= ${int(scope.from)}`);
    parts.push(sql<SqlBool>`trace_info.timestamp_ms < ${int(scope.to)}`);
  }
  // Without a layout (checking a filter before the file is open) any layout compiles the same.
  parts.push(...compileTraceFilter(filter, options.layout ?? layoutOf(DEFAULT_SCHEMA_REVISION)));
  return sql<SqlBool>`${sql.join(parts, sql` AND `)}`;
}

/** A trace's token count: a trace_metrics row, or from MLflow 3.17 a trace_info column. */
export function tokens(
  layout: SchemaLayout,
  key: 'input_tokens' | 'output_tokens',
): RawBuilder<number | null> {
  if (layout.traceAnalytics) return sql<number | null>`${sql.ref(`trace_info.${key}`)}`;
  return sql<
    number | null
  >`(SELECT tm.value FROM trace_metrics tm WHERE tm.request_id = trace_info.request_id AND tm.key = ${key})`;
}

/** A bound integer: better-sqlite3 binds JS numbers as REAL, which would make `/` a float division. */
export function int(n: number): RawBuilder<number> {
  return sql<number>`CAST(${Math.trunc(n)} AS INTEGER)`;
}

export function experimentNumbers(ids: readonly string[]): number[] {
  return [...new Set(ids.map(experimentIdNumber).filter((n): n is number => n !== null))];
}

/** Nearest-rank percentile rank `ceil(q·n)` in integer SQL, for q given in hundredths. */
export function rankAt(percent: number, n: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`((${sql.lit(percent)} * ${n} + 99) / 100)`;
}
