import type { QueryScope } from '@graphtrace/core';
import { emptyTimeseriesTotals } from '@graphtrace/core/store-kit';
import type { Hono } from 'hono';
import { DashboardError } from '../errors.js';
import { sessionFirstInputs } from '../queries/first-input.js';
import { withToolArguments } from '../queries/tool-arguments.js';
import { tracePreviews } from '../queries/trace-previews.js';
import type { ApiContext } from './context.js';
import { metricsQuery, parseQuery, qualityQuery, sessionsQuery, toolsQuery } from './query.js';
import { quoteFilterValue } from './traces-routes.js';
import type { MetricsResponse, QualityResponse, SessionsResponse, ToolsResponse } from './types.js';
import { assessmentView } from './views.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Default range: the last week. */
const DEFAULT_RANGE_MS = 7 * DAY;
/** Bucket sizes the metrics page picks from, so that a range has at most ~200 buckets. */
const BUCKETS = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
  30 * DAY,
];
const MAX_BUCKETS = 2000;

export function autoBucket(rangeMs: number): number {
  return BUCKETS.find((b) => rangeMs / b <= 200) ?? Math.ceil(rangeMs / 200);
}

export interface RangeQuery {
  experiment?: string[] | undefined;
  filter?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export async function scopeOf(ctx: ApiContext, q: RangeQuery): Promise<QueryScope> {
  const to = q.to ?? ctx.now();
  const from = q.from ?? to - DEFAULT_RANGE_MS;
  if (from >= to)
    throw new DashboardError('INVALID_QUERY', '`from` must be before `to`', { param: 'from' });
  return {
    experimentIds: await ctx.experimentIds(q.experiment),
    from,
    to,
    ...(q.filter === undefined || q.filter.trim() === '' ? {} : { filter: q.filter }),
  };
}

/** Every bucket of the range, `empty` where there were no traces, so charts show gaps as gaps. */
export function fillBuckets<P extends { start: number }>(
  points: readonly P[],
  bucketMs: number,
  scope: QueryScope,
  empty: (start: number) => P,
): P[] {
  const byStart = new Map(points.map((p) => [p.start, p]));
  const out: P[] = [];
  for (let start = scope.from; start < scope.to; start += bucketMs) {
    out.push(byStart.get(start) ?? empty(start));
  }
  return out;
}

/** The requested bucket size or one for the range; refused when it makes too many buckets. */
export function bucketOf(scope: QueryScope, requested: number | undefined): number {
  const bucketMs = requested ?? autoBucket(scope.to - scope.from);
  if ((scope.to - scope.from) / bucketMs > MAX_BUCKETS) {
    throw new DashboardError(
      'INVALID_QUERY',
      `query parameter \`bucket\` makes ${Math.ceil((scope.to - scope.from) / bucketMs).toLocaleString('en-US')} intervals; use at most ${MAX_BUCKETS} (a larger bucket or a shorter range)`,
      { param: 'bucket' },
    );
  }
  return bucketMs;
}

/** Aggregates through the context's short cache, keyed by route and query. */
export function cachedAggregate<T>(
  ctx: ApiContext,
  route: string,
  key: unknown,
  compute: () => Promise<T>,
): Promise<T> {
  return ctx.aggregates.get(`${route}:${JSON.stringify(key)}`, compute) as Promise<T>;
}

/** `/api/metrics`, `/api/tools`, `/api/sessions`, `/api/quality`: aggregates over a range. */
export function registerAnalyticsRoutes(app: Hono, ctx: ApiContext): void {
  const cached = <T>(route: string, key: unknown, compute: () => Promise<T>): Promise<T> =>
    cachedAggregate(ctx, route, key, compute);

  app.get('/api/metrics', async (c) => {
    const q = parseQuery(new URL(c.req.url), metricsQuery);
    const scope = await scopeOf(ctx, q);
    const bucketMs = bucketOf(scope, q.bucket);
    const result = await cached('metrics', [scope, bucketMs], () =>
      ctx.queries.timeseries(scope, bucketMs),
    );
    const body: MetricsResponse = {
      from: scope.from,
      to: scope.to,
      analytics: ctx.queries.kind,
      coverage: result.coverage,
      bucketMs,
      points: fillBuckets(result.points, bucketMs, scope, (start) => ({
        start,
        ...emptyTimeseriesTotals(),
      })),
      totals: result.totals,
    };
    return c.json(body);
  });

  app.get('/api/tools', async (c) => {
    const q = parseQuery(new URL(c.req.url), toolsQuery);
    const scope = await scopeOf(ctx, q);
    const examples = q.examples ?? 5;
    // The listed calls' arguments are read from their spans (see tool-arguments.ts).
    const result = await cached('tools', [scope, examples], async () => {
      const r = await ctx.queries.tools(scope, { examples });
      return { ...r, tools: await withToolArguments(ctx.store, r.tools) };
    });
    const body: ToolsResponse = {
      from: scope.from,
      to: scope.to,
      analytics: ctx.queries.kind,
      coverage: result.coverage,
      tools: result.tools,
    };
    return c.json(body);
  });

  app.get('/api/sessions', async (c) => {
    const q = parseQuery(new URL(c.req.url), sessionsQuery);
    const scope = await scopeOf(ctx, q);
    const page = { limit: q.limit ?? 50, offset: q.offset ?? 0 };
    const result = await cached('sessions', [scope, page], async () => {
      const r = await ctx.queries.sessions(scope, page);
      const first = await sessionFirstInputs(
        ctx.store,
        scope.experimentIds,
        r.sessions,
        quoteFilterValue,
      );
      return {
        ...r,
        sessions: r.sessions.map((s) => ({ ...s, firstInput: first.get(s.session) ?? null })),
      };
    });
    const body: SessionsResponse = {
      from: scope.from,
      to: scope.to,
      analytics: ctx.queries.kind,
      coverage: result.coverage,
      sessions: result.sessions,
      total: result.total,
      offset: page.offset,
    };
    return c.json(body);
  });

  app.get('/api/quality', async (c) => {
    const q = parseQuery(new URL(c.req.url), qualityQuery);
    const scope = await scopeOf(ctx, q);
    const limit = q.limit ?? 50;
    const [summary, recent] = await Promise.all([
      cached('quality-summary', scope, () => ctx.queries.assessmentSummary(scope)),
      cached('quality-recent', [scope, q.name ?? null, limit], async () => {
        const r = await ctx.queries.recentAssessments(scope, {
          limit,
          ...(q.name === undefined ? {} : { name: q.name }),
        });
        // Traces of one agent share a name: their requests tell them apart.
        const previews = await tracePreviews(
          ctx.store,
          r.assessments.map((a) => a.traceId),
        );
        return { ...r, previews };
      }),
    ]);
    const body: QualityResponse = {
      from: scope.from,
      to: scope.to,
      analytics: ctx.queries.kind,
      coverage: summary.coverage,
      names: summary.names,
      recent: recent.assessments.map((a) => ({
        ...assessmentView(a),
        traceRequestPreview: recent.previews.get(a.traceId)?.requestPreview ?? null,
        traceTime: recent.previews.get(a.traceId)?.time ?? null,
      })),
      assessmentsSupported: ctx.store.capabilities.assessments,
    };
    return c.json(body);
  });
}
