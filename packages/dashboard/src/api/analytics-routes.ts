import {
  emptyTimeseriesTotals,
  type QueryScope,
  type TimeseriesPoint,
  type TimeseriesResult,
} from '@graphtrace/core';
import type { Hono } from 'hono';
import { DashboardError } from '../errors.js';
import type { ApiContext } from './context.js';
import { metricsQuery, parseQuery, qualityQuery, sessionsQuery, toolsQuery } from './query.js';
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

interface RangeQuery {
  experiment?: string[] | undefined;
  filter?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

async function scopeOf(ctx: ApiContext, q: RangeQuery): Promise<QueryScope> {
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

/** Every bucket of the range, empty ones as zeros, so charts show gaps as gaps. */
function fill(result: TimeseriesResult, scope: QueryScope): TimeseriesPoint[] {
  const byStart = new Map(result.points.map((p) => [p.start, p]));
  const out: TimeseriesPoint[] = [];
  for (let start = scope.from; start < scope.to; start += result.bucketMs) {
    out.push(byStart.get(start) ?? { start, ...emptyTimeseriesTotals() });
  }
  return out;
}

/** `/api/metrics`, `/api/tools`, `/api/sessions`, `/api/quality`: aggregates over a range. */
export function registerAnalyticsRoutes(app: Hono, ctx: ApiContext): void {
  const cached = <T>(route: string, key: unknown, compute: () => Promise<T>): Promise<T> =>
    ctx.aggregates.get(`${route}:${JSON.stringify(key)}`, compute) as Promise<T>;

  app.get('/api/metrics', async (c) => {
    const q = parseQuery(new URL(c.req.url), metricsQuery);
    const scope = await scopeOf(ctx, q);
    const bucketMs = q.bucket ?? autoBucket(scope.to - scope.from);
    if ((scope.to - scope.from) / bucketMs > MAX_BUCKETS) {
      throw new DashboardError(
        'INVALID_QUERY',
        `query parameter \`bucket\` makes ${Math.ceil((scope.to - scope.from) / bucketMs).toLocaleString('en-US')} intervals; use at most ${MAX_BUCKETS} (a larger bucket or a shorter range)`,
        { param: 'bucket' },
      );
    }
    const result = await cached('metrics', [scope, bucketMs], () =>
      ctx.queries.timeseries(scope, bucketMs),
    );
    const body: MetricsResponse = {
      from: scope.from,
      to: scope.to,
      analytics: ctx.queries.kind,
      coverage: result.coverage,
      bucketMs,
      points: fill(result, scope),
      totals: result.totals,
    };
    return c.json(body);
  });

  app.get('/api/tools', async (c) => {
    const q = parseQuery(new URL(c.req.url), toolsQuery);
    const scope = await scopeOf(ctx, q);
    const examples = q.examples ?? 5;
    const result = await cached('tools', [scope, examples], () =>
      ctx.queries.tools(scope, { examples }),
    );
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
    const result = await cached('sessions', [scope, page], () => ctx.queries.sessions(scope, page));
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
      cached('quality-recent', [scope, q.name ?? null, limit], () =>
        ctx.queries.recentAssessments(scope, {
          limit,
          ...(q.name === undefined ? {} : { name: q.name }),
        }),
      ),
    ]);
    const body: QualityResponse = {
      from: scope.from,
      to: scope.to,
      analytics: ctx.queries.kind,
      coverage: summary.coverage,
      names: summary.names,
      recent: recent.assessments.map((a) => assessmentView(a)),
      assessmentsSupported: ctx.store.capabilities.assessments,
    };
    return c.json(body);
  });
}
