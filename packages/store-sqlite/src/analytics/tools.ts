import type { QueryScope, ToolStats, ToolsResult } from '@graphtrace/core';
import { SpanType } from '@graphtrace/core';
import { sql } from 'kysely';
import type { AnalyticsContext } from './context.js';
import { experimentNumbers, int, rankAt, traceScopeWhere } from './scope.js';

/** Below this share of an experiment's traces, a range is read trace by trace. */
const NARROW_RANGE = 0.3;

interface RankedRow {
  name: string;
  d: number | null;
  rn: number;
  n: number;
  nn: number;
  e: number;
  trace_id: string;
  span_id: string;
  ts: number;
  message: string | null;
}

interface FailRow {
  name: string;
  d: number | null;
  trace_id: string;
  span_id: string;
  ts: number;
  message: string | null;
}

const NS_PER_MS = 1e6;

/**
 * Per tool (TOOL spans grouped by name): counts, errors, nearest-rank latency percentiles and
 * the slowest calls from ONE sort of the calls by (name, duration) — the window gives each call
 * its rank, and only the rows at the percentile ranks and the top ranks leave SQLite. The
 * newest failures come from MLflow's (experiment_id, type, status) span index.
 *
 * A narrow range (or a filtered one) is read from its traces through the (experiment_id,
 * timestamp_ms) index and the spans' primary key; a wide one from the span index, which skips
 * the other span types (and the join to trace_info when the range holds every trace).
 */
export async function tools(
  ctx: AnalyticsContext,
  scope: QueryScope,
  examples: number,
): Promise<ToolsResult> {
  const where = traceScopeWhere(scope, { layout: ctx.layout });
  if (!where) return { tools: [], coverage: { traces: 0, complete: true } };
  const [inRange] = await ctx.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM trace_info WHERE ${where}`,
  );
  const traces = inRange?.n ?? 0;
  if (traces === 0) return { tools: [], coverage: { traces: 0, complete: true } };

  const filtered = scope.filter !== undefined && scope.filter.trim() !== '';
  let all = traces;
  if (!filtered) {
    const [row] = await ctx.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM trace_info WHERE ${traceScopeWhere({ experimentIds: scope.experimentIds }, { time: false, layout: ctx.layout })}`,
    );
    all = row?.n ?? traces;
  }
  const narrow = filtered || traces < NARROW_RANGE * all;
  const everything = !filtered && traces === all;
  const ids = experimentNumbers(scope.experimentIds);
  const columns = sql`s.name AS name, s.status AS status, s.duration_ns AS d, s.trace_id AS trace_id,
    s.span_id AS span_id, s.start_time_unix_nano / 1000000 AS ts`;
  const from = (status?: string) => {
    const statusIs = status === undefined ? sql`` : sql` AND s.status = ${status}`;
    if (narrow)
      return sql`SELECT ${columns}
        FROM trace_info CROSS JOIN spans s ON s.trace_id = trace_info.request_id
        WHERE ${where} AND s.type = ${SpanType.TOOL}${statusIs}`;
    if (everything)
      return sql`SELECT ${columns} FROM spans s
        WHERE s.experiment_id IN (${sql.join(ids)}) AND s.type = ${SpanType.TOOL}${statusIs}`;
    return sql`SELECT ${columns}
      FROM spans s CROSS JOIN trace_info ON trace_info.request_id = s.trace_id
      WHERE s.experiment_id IN (${sql.join(ids)}) AND s.type = ${SpanType.TOOL}${statusIs} AND ${where}`;
  };
  const k = int(examples);
  // NULL durations (unfinished calls) sort first: ranks among finished calls start after them.
  const rows = await ctx.all<RankedRow>(sql`
    SELECT name, d, rn, n, nn, e, trace_id, span_id, ts,
      CASE WHEN status = 'ERROR' THEN (SELECT json_extract(x.content, '$.status.message')
        FROM spans x WHERE x.trace_id = r.trace_id AND x.span_id = r.span_id) END AS message
    FROM (
      SELECT name, status, d, trace_id, span_id, ts, row_number() OVER w AS rn, count(*) OVER w AS n,
        count(d) OVER w AS nn, total(status = 'ERROR') OVER w AS e
      FROM (${from()})
      WINDOW w AS (PARTITION BY name ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ) r
    WHERE rn = 1 OR (d IS NOT NULL AND (rn > n - ${k}
      OR rn = n - nn + ${rankAt(50, sql`nn`)} OR rn = n - nn + ${rankAt(95, sql`nn`)}))
    ORDER BY name, rn`);
  const failures = await ctx.all<FailRow>(sql`
    SELECT f.name, f.d, f.trace_id, f.span_id, f.ts,
      (SELECT json_extract(x.content, '$.status.message') FROM spans x
        WHERE x.trace_id = f.trace_id AND x.span_id = f.span_id) AS message
    FROM (
      SELECT *, row_number() OVER (PARTITION BY name ORDER BY ts DESC, span_id) AS k
      FROM (${from('ERROR')})
    ) f WHERE f.k <= ${k}`);

  const byName = new Map<string, ToolStats>();
  const ms = (ns: number | null) => (ns === null ? null : ns / NS_PER_MS);
  for (const r of rows) {
    let t = byName.get(r.name);
    if (!t) {
      t = {
        name: r.name,
        calls: r.n,
        errors: r.e,
        latencyP50Ms: null,
        latencyP95Ms: null,
        latencyMaxMs: null,
        slowest: [],
        failing: [],
      };
      byName.set(r.name, t);
    }
    if (r.d === null) continue;
    const finished = r.rn - (r.n - r.nn);
    if (finished === Math.trunc((50 * r.nn + 99) / 100)) t.latencyP50Ms = ms(r.d);
    if (finished === Math.trunc((95 * r.nn + 99) / 100)) t.latencyP95Ms = ms(r.d);
    if (r.rn === r.n) t.latencyMaxMs = ms(r.d);
    if (r.rn > r.n - examples)
      t.slowest.push({
        traceId: r.trace_id,
        spanId: r.span_id,
        time: r.ts,
        durationMs: ms(r.d),
        error: r.message || null,
      });
  }
  for (const t of byName.values()) t.slowest.reverse(); // ranks ascend; slowest first
  for (const f of failures) {
    byName.get(f.name)?.failing.push({
      traceId: f.trace_id,
      spanId: f.span_id,
      time: f.ts,
      durationMs: ms(f.d),
      error: f.message || null,
    });
  }
  for (const t of byName.values()) t.failing.sort((a, b) => b.time - a.time);
  return {
    tools: [...byName.values()].sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name)),
    coverage: { traces, complete: true },
  };
}
