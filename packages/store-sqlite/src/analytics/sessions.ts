import type { QueryScope, SessionsResult } from '@graphtrace/core';
import { TraceMetadataKey } from '@graphtrace/core';
import { sql } from 'kysely';
import type { AnalyticsContext } from './context.js';
import { int, tokens, traceScopeWhere } from './scope.js';

interface SessionRow {
  session: string;
  traces: number;
  errors: number;
  first_time: number;
  last_time: number;
  input_tokens: number;
  output_tokens: number;
  user: string | null;
  total: number;
}

/**
 * Sessions with traces in the range, most recently active first: the traces' session metadata
 * rows grouped by value, token sums from `trace_metrics`, one page at a time (the total comes
 * from the same statement).
 */
export async function sessions(
  ctx: AnalyticsContext,
  scope: QueryScope,
  page: { limit: number; offset: number },
): Promise<SessionsResult> {
  const where = traceScopeWhere(scope, { layout: ctx.layout });
  if (!where) return { sessions: [], total: 0, coverage: { traces: 0, complete: true } };
  // The traces that have a session: its metadata rows, or from MLflow 3.17 a column.
  const inSession = ctx.layout.traceAnalytics
    ? sql`trace_info.session_id AS session FROM trace_info
      WHERE trace_info.session_id IS NOT NULL AND ${where}`
    : sql`m.value AS session FROM trace_request_metadata m JOIN trace_info ON trace_info.request_id = m.request_id
      WHERE m.key = ${TraceMetadataKey.SESSION} AND ${where}`;
  const rows = await ctx.all<SessionRow & { in_range: number }>(sql`
    WITH s AS (
      SELECT trace_info.status AS status, trace_info.timestamp_ms AS ts,
        trace_info.timestamp_ms + coalesce(trace_info.execution_time_ms, 0) AS te,
        ${tokens(ctx.layout, 'input_tokens')} AS tin, ${tokens(ctx.layout, 'output_tokens')} AS tout,
        (SELECT u.value FROM trace_request_metadata u WHERE u.key = ${TraceMetadataKey.USER} AND u.request_id = trace_info.request_id) AS user,
        ${inSession}
    ),
    g AS (
      SELECT session, count(*) AS traces, total(status = 'ERROR') AS errors, min(ts) AS first_time,
        max(te) AS last_time, total(tin) AS input_tokens, total(tout) AS output_tokens, max(user) AS user
      FROM s GROUP BY session
    )
    SELECT g.*, count(*) OVER () AS total, (SELECT count(*) FROM s) AS in_range
    FROM g ORDER BY last_time DESC, session LIMIT ${int(page.limit)} OFFSET ${int(page.offset)}`);
  const total = rows[0]?.total ?? 0;
  let traces = rows[0]?.in_range;
  if (traces === undefined) {
    const [r] = await ctx.all<{ n: number }>(sql`SELECT count(*) AS n, ${inSession}`);
    traces = r?.n ?? 0;
  }
  return {
    sessions: rows.map((r) => ({
      session: r.session,
      traces: r.traces,
      errors: r.errors,
      firstTime: r.first_time,
      lastTime: r.last_time,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      user: r.user,
    })),
    total,
    coverage: { traces, complete: true },
  };
}
