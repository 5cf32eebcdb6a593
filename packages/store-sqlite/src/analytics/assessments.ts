import type {
  Assessment,
  AssessmentNameSummary,
  AssessmentSummaryResult,
  QueryScope,
  RecentAssessmentsResult,
} from '@graphtrace/core';
import { TraceTagKey } from '@graphtrace/core';
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { type AssessmentRow, toAssessment } from '../store/assessments.js';
import type { AnalyticsContext } from './context.js';
import { int, traceScopeWhere } from './scope.js';
import { idChunks } from './trace-order.js';

/** Labels kept per assessment name. */
const LABELS = 5;

/** Valid assessments created in the range, on traces in the scope (the time bound is the assessment's). */
function assessmentWhere(ctx: AnalyticsContext, scope: QueryScope): RawBuilder<SqlBool> | null {
  const traces = traceScopeWhere(scope, { time: false, layout: ctx.layout });
  if (!traces) return null;
  return sql<SqlBool>`a.valid = 1 AND a.created_timestamp >= ${int(scope.from)}
    AND a.created_timestamp < ${int(scope.to)} AND ${traces}`;
}

// Values are JSON text; json_type() raises on malformed JSON, so a foreign row is typed NULL.
const TYPE = sql`(CASE WHEN json_valid(a.value) THEN json_type(a.value) END)`;

interface SummaryRow {
  name: string;
  kind: string;
  n: number;
  num_n: number;
  mean: number | null;
  lo: number | null;
  hi: number | null;
  yes: number;
  no: number;
  errors: number;
  last_time: number;
}

/** Counts, score statistics, thumbs and top labels per (name, kind), by GROUP BY. */
export async function assessmentSummary(
  ctx: AnalyticsContext,
  scope: QueryScope,
): Promise<AssessmentSummaryResult> {
  const where = assessmentWhere(ctx, scope);
  if (!where) return { names: [], coverage: { traces: 0, complete: true } };
  const from = sql`FROM assessments a JOIN trace_info ON trace_info.request_id = a.trace_id WHERE ${where}`;
  const numeric = sql`${TYPE} IN ('integer', 'real')`;
  const rows = await ctx.all<SummaryRow>(sql`
    SELECT a.name AS name, a.assessment_type AS kind, count(*) AS n,
      total(${numeric}) AS num_n,
      avg(CASE WHEN ${numeric} THEN json_extract(a.value, '$') END) AS mean,
      min(CASE WHEN ${numeric} THEN json_extract(a.value, '$') END) AS lo,
      max(CASE WHEN ${numeric} THEN json_extract(a.value, '$') END) AS hi,
      total(${TYPE} = 'true') AS yes, total(${TYPE} = 'false') AS no,
      total(a.error IS NOT NULL AND a.error NOT IN ('', 'null')) AS errors,
      max(a.created_timestamp) AS last_time
    ${from} GROUP BY a.name, a.assessment_type ORDER BY n DESC, a.name`);
  const labels = await ctx.all<{ name: string; kind: string; label: string; n: number }>(sql`
    SELECT a.name AS name, a.assessment_type AS kind, json_extract(a.value, '$') AS label, count(*) AS n
    ${from} AND ${TYPE} = 'text' GROUP BY 1, 2, 3 ORDER BY n DESC, label`);
  const [covered] = await ctx.all<{ n: number }>(
    sql`SELECT count(DISTINCT a.trace_id) AS n ${from}`,
  );
  const names: AssessmentNameSummary[] = rows.map((r) => {
    const kind = r.kind === 'expectation' ? 'expectation' : 'feedback';
    return {
      name: r.name,
      kind,
      count: r.n,
      numeric:
        r.num_n > 0 ? { count: r.num_n, mean: r.mean ?? 0, min: r.lo ?? 0, max: r.hi ?? 0 } : null,
      booleans: r.yes + r.no > 0 ? { true: r.yes, false: r.no } : null,
      labels: labels
        .filter((l) => l.name === r.name && l.kind === r.kind)
        .slice(0, LABELS)
        .map((l) => ({ value: String(l.label), count: l.n })),
      errors: r.errors,
      lastTime: r.last_time,
    };
  });
  return { names, coverage: { traces: covered?.n ?? 0, complete: true } };
}

/** The newest assessments in the range (by creation time), with their trace's name. */
export async function recentAssessments(
  ctx: AnalyticsContext,
  scope: QueryScope,
  options: { limit: number; name?: string },
): Promise<RecentAssessmentsResult> {
  const where = assessmentWhere(ctx, scope);
  if (!where) return { assessments: [], coverage: { traces: 0, complete: true } };
  const byName = options.name === undefined ? sql`` : sql` AND a.name = ${options.name}`;
  const rows = await ctx.all<AssessmentRow & { trace_name: string | null }>(sql`
    SELECT a.*, ${
      ctx.layout.traceAnalytics
        ? sql`trace_info.trace_name`
        : sql`(SELECT t.value FROM trace_tags t WHERE t.key = ${TraceTagKey.TRACE_NAME}
      AND t.request_id = a.trace_id)`
    } AS trace_name
    FROM assessments a JOIN trace_info ON trace_info.request_id = a.trace_id
    WHERE ${where}${byName}
    ORDER BY a.created_timestamp DESC, a.assessment_id LIMIT ${int(options.limit)}`);
  const assessments = rows.map((r) => ({ ...toAssessment(r), traceName: r.trace_name }));
  return {
    assessments,
    coverage: { traces: new Set(rows.map((r) => r.trace_id)).size, complete: true },
  };
}

/**
 * Every assessment of each of `traceIds` (a page of the trace list), oldest first, in one
 * statement per 500 traces instead of a `getAssessments` call per trace.
 */
export async function assessmentsOfTraces(
  ctx: AnalyticsContext,
  traceIds: readonly string[],
): Promise<Record<string, Assessment[]>> {
  const out: Record<string, Assessment[]> = {};
  for (const chunk of idChunks(traceIds)) {
    const rows = await ctx.all<AssessmentRow>(sql`
      SELECT * FROM assessments WHERE trace_id IN (${sql.join(chunk)})
      ORDER BY trace_id, created_timestamp, assessment_id`);
    for (const r of rows) {
      const list = out[r.trace_id] ?? [];
      list.push(toAssessment(r));
      out[r.trace_id] = list;
    }
  }
  return out;
}
