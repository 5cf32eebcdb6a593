import {
  type Assessment,
  type AssessmentNameSummary,
  type AssessmentSummaryResult,
  parseFilter,
  type QueryScope,
  type RecentAssessmentsResult,
  TraceTagKey,
} from '@graphtrace/core';
import { mapLimited, type ScanContext } from './trace-scan.js';

/**
 * Valid assessments created in the range, from the newest `maxDetail` traces that started
 * before its end (an assessment is made after its trace).
 */
async function assessmentsIn(
  ctx: ScanContext,
  scope: QueryScope,
): Promise<{
  assessments: (Assessment & { traceName: string | null })[];
  traces: number;
  complete: boolean;
}> {
  const { store } = ctx;
  if (!store.capabilities.assessments) {
    parseFilter(scope.filter, 'traces');
    return { assessments: [], traces: 0, complete: true };
  }
  const { infos, complete } = await ctx.scan(
    { experimentIds: scope.experimentIds, filter: scope.filter, to: scope.to },
    ctx.maxDetail,
  );
  const lists = await mapLimited(infos, ctx.concurrency, async (info) =>
    (await store.getAssessments(info.traceId)).map((a) => ({
      ...a,
      traceName: info.tags[TraceTagKey.TRACE_NAME] ?? null,
    })),
  );
  const assessments = lists
    .flat()
    .filter((a) => a.valid && a.createTime >= scope.from && a.createTime < scope.to);
  return {
    assessments,
    traces: new Set(assessments.map((a) => a.traceId)).size,
    complete,
  };
}

/** The range's assessments per name and kind: numeric, boolean and label figures. */
export async function scanAssessmentSummary(
  ctx: ScanContext,
  scope: QueryScope,
): Promise<AssessmentSummaryResult> {
  const { assessments, traces, complete } = await assessmentsIn(ctx, scope);
  const byKey = new Map<string, AssessmentNameSummary & { values: string[] }>();
  for (const a of assessments) {
    const key = `${a.kind}\u0000${a.name}`;
    let s = byKey.get(key);
    if (!s) {
      s = {
        name: a.name,
        kind: a.kind,
        count: 0,
        numeric: null,
        booleans: null,
        labels: [],
        errors: 0,
        lastTime: 0,
        values: [],
      };
      byKey.set(key, s);
    }
    s.count++;
    s.lastTime = Math.max(s.lastTime, a.createTime);
    if (a.kind === 'feedback' && a.error) s.errors++;
    const v = a.value;
    if (typeof v === 'number' && Number.isFinite(v)) {
      const n = s.numeric ?? { count: 0, mean: 0, min: v, max: v };
      n.mean = (n.mean * n.count + v) / (n.count + 1);
      n.count++;
      n.min = Math.min(n.min, v);
      n.max = Math.max(n.max, v);
      s.numeric = n;
    } else if (typeof v === 'boolean') {
      s.booleans ??= { true: 0, false: 0 };
      s.booleans[v ? 'true' : 'false']++;
    } else if (typeof v === 'string') s.values.push(v);
  }
  const names = [...byKey.values()].map(({ values, ...s }) => {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return {
      ...s,
      labels: [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 5)
        .map(([value, count]) => ({ value, count })),
    };
  });
  names.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  return { names, coverage: { traces, complete } };
}

/** The newest `limit` assessments of the range (of one name when given). */
export async function scanRecentAssessments(
  ctx: ScanContext,
  scope: QueryScope,
  opts: { limit: number; name?: string },
): Promise<RecentAssessmentsResult> {
  const { assessments, complete } = await assessmentsIn(ctx, scope);
  const picked = assessments
    .filter((a) => opts.name === undefined || a.name === opts.name)
    .sort((a, b) => b.createTime - a.createTime || (a.assessmentId < b.assessmentId ? -1 : 1))
    .slice(0, opts.limit);
  return {
    assessments: picked,
    coverage: { traces: new Set(picked.map((a) => a.traceId)).size, complete },
  };
}
