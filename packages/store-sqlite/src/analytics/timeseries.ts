import type { QueryScope, TimeseriesPoint, TimeseriesResult } from '@graphtrace/core';
import { AgentMetadataKey, GraphtraceError, SpanType } from '@graphtrace/core';
import { emptyTimeseriesTotals } from '@graphtrace/core/store-kit';
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { AnalyticsContext } from './context.js';
import { int, rankAt, tokens, traceScopeWhere } from './scope.js';

const LLM_TYPES = [SpanType.LLM, SpanType.CHAT_MODEL];

interface BucketRow {
  b: number;
  traces: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  llm: number;
  tool: number;
  with_calls: number;
}

interface PercentileRow {
  b: number | null;
  p50: number | null;
  p95: number | null;
}

function counter(key: string): RawBuilder<number | null> {
  return sql<
    number | null
  >`(SELECT CAST(m.value AS INTEGER) FROM trace_request_metadata m WHERE m.key = ${key} AND m.request_id = trace_info.request_id)`;
}

function spanCount(types: readonly string[]): RawBuilder<number> {
  return sql<number>`(SELECT count(*) FROM spans s WHERE s.trace_id = trace_info.request_id AND s.type IN (${sql.join(types)}))`;
}

/**
 * Per bucket of the range: trace and error counts, token sums (from `trace_metrics`, which
 * MLflow and graphtrace fill from `mlflow.trace.tokenUsage`) and agent call sums, then the
 * latency percentiles by window functions, all over the (experiment_id, timestamp_ms) index.
 *
 * LLM and tool calls come from graphtrace's per-trace counters (`graphtrace.agent.*`
 * metadata, primary-key lookups). Traces written by other SDKs have none; their spans are
 * counted instead when there are at most `maxSpanCountedTraces` of them in the range (counting
 * reads every span row of those traces); beyond that they are left out of `tracesWithCalls`.
 */
export async function timeseries(
  ctx: AnalyticsContext,
  scope: QueryScope,
  bucketMs: number,
  maxSpanCountedTraces: number,
): Promise<TimeseriesResult> {
  if (!Number.isSafeInteger(bucketMs) || bucketMs < 1)
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `bucketMs must be a positive integer, got ${bucketMs}`,
    );
  const where = traceScopeWhere(scope, { layout: ctx.layout });
  const empty: TimeseriesResult = {
    bucketMs,
    points: [],
    totals: emptyTimeseriesTotals(),
    coverage: { traces: 0, complete: true },
  };
  if (!where) return empty;
  const bucket = sql<number>`(trace_info.timestamp_ms - ${int(scope.from)}) / ${int(bucketMs)}`;

  const rows = await ctx.all<BucketRow>(sql`
    SELECT b, count(*) AS traces, total(status = 'ERROR') AS errors,
      total(tin) AS input_tokens, total(tout) AS output_tokens,
      total(llm) AS llm, total(tool) AS tool, count(llm) AS with_calls
    FROM (
      SELECT ${bucket} AS b, trace_info.status AS status,
        ${tokens(ctx.layout, 'input_tokens')} AS tin, ${tokens(ctx.layout, 'output_tokens')} AS tout,
        ${counter(AgentMetadataKey.LLM_CALLS)} AS llm, ${counter(AgentMetadataKey.TOOL_CALLS)} AS tool
      FROM trace_info WHERE ${where}
    )
    GROUP BY b ORDER BY b`);

  const traces = rows.reduce((n, r) => n + r.traces, 0);
  const withCounters = rows.reduce((n, r) => n + r.with_calls, 0);
  const byBucket = new Map(rows.map((r) => [r.b, r]));
  const missing = traces - withCounters;
  if (missing > 0 && missing <= maxSpanCountedTraces) {
    const noCounter: RawBuilder<SqlBool> = sql<SqlBool>`NOT EXISTS (SELECT 1 FROM trace_request_metadata m WHERE m.key = ${AgentMetadataKey.LLM_CALLS} AND m.request_id = trace_info.request_id)`;
    const counted = await ctx.all<{ b: number; n: number; llm: number; tool: number }>(sql`
      SELECT b, count(*) AS n, total(llm) AS llm, total(tool) AS tool FROM (
        SELECT ${bucket} AS b, ${spanCount(LLM_TYPES)} AS llm, ${spanCount([SpanType.TOOL])} AS tool
        FROM trace_info WHERE ${where} AND ${noCounter}
      ) GROUP BY b`);
    for (const c of counted) {
      const r = byBucket.get(c.b);
      if (!r) continue;
      r.llm += c.llm;
      r.tool += c.tool;
      r.with_calls += c.n;
    }
  }

  const latency = sql`SELECT ${bucket} AS b, trace_info.execution_time_ms AS v FROM trace_info WHERE ${where} AND trace_info.execution_time_ms IS NOT NULL`;
  const perBucket = await ctx.all<PercentileRow>(sql`
    SELECT b, min(CASE WHEN rn >= ${rankAt(50, sql`n`)} THEN v END) AS p50,
      min(CASE WHEN rn >= ${rankAt(95, sql`n`)} THEN v END) AS p95
    FROM (SELECT b, v, row_number() OVER (PARTITION BY b ORDER BY v) AS rn,
            count(*) OVER (PARTITION BY b) AS n FROM (${latency}))
    GROUP BY b`);
  const overall = await ctx.all<PercentileRow>(sql`
    SELECT NULL AS b, min(CASE WHEN rn >= ${rankAt(50, sql`n`)} THEN v END) AS p50,
      min(CASE WHEN rn >= ${rankAt(95, sql`n`)} THEN v END) AS p95
    FROM (SELECT v, row_number() OVER (ORDER BY v) AS rn, count(*) OVER () AS n FROM (${latency}))`);
  const pct = new Map(perBucket.map((p) => [p.b, p]));

  const points: TimeseriesPoint[] = rows.map((r) => ({
    start: scope.from + r.b * bucketMs,
    traces: r.traces,
    errors: r.errors,
    latencyP50Ms: pct.get(r.b)?.p50 ?? null,
    latencyP95Ms: pct.get(r.b)?.p95 ?? null,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    llmCalls: r.llm,
    toolCalls: r.tool,
    tracesWithCalls: r.with_calls,
  }));
  const sum = (f: (p: TimeseriesPoint) => number) => points.reduce((n, p) => n + f(p), 0);
  return {
    bucketMs,
    points,
    totals: {
      traces,
      errors: sum((p) => p.errors),
      latencyP50Ms: overall[0]?.p50 ?? null,
      latencyP95Ms: overall[0]?.p95 ?? null,
      inputTokens: sum((p) => p.inputTokens),
      outputTokens: sum((p) => p.outputTokens),
      llmCalls: sum((p) => p.llmCalls),
      toolCalls: sum((p) => p.toolCalls),
      tracesWithCalls: sum((p) => p.tracesWithCalls),
    },
    coverage: { traces, complete: true },
  };
}
