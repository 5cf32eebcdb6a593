import { parseFilter, parseOrderBy } from '@graphtrace/core';
import type { Hono } from 'hono';
import { DashboardError } from '../errors.js';
import type { ApiContext } from './context.js';
import { emptyQuery, metricHistoryQuery, parseQuery, runsQuery } from './query.js';
import type { MetricHistoryResponse, RunResponse, RunsResponse } from './types.js';
import { metricView, runView } from './views.js';

/** `/api/runs`, `/api/runs/:runId`, `/api/runs/:runId/metric-history?key=`. */
export function registerRunRoutes(app: Hono, ctx: ApiContext): void {
  app.get('/api/runs', async (c) => {
    const q = parseQuery(new URL(c.req.url), runsQuery);
    parseFilter(q.filter, 'runs');
    const orderBy = q.orderBy === undefined ? undefined : [q.orderBy];
    parseOrderBy(orderBy, 'runs');
    const result = await ctx.store.searchRuns({
      experimentIds: await ctx.experimentIds(q.experiment),
      ...(q.filter === undefined ? {} : { filter: q.filter }),
      ...(orderBy === undefined ? {} : { orderBy }),
      maxResults: q.pageSize ?? 100,
      pageToken: q.pageToken ?? null,
    });
    const body: RunsResponse = {
      runs: result.items.map(runView),
      nextPageToken: result.nextPageToken,
    };
    return c.json(body);
  });

  const runOr404 = async (runId: string) => {
    const run = await ctx.store.getRun(runId);
    if (!run)
      throw new DashboardError('NOT_FOUND', `no run ${runId} in ${ctx.store.uri}`, {
        status: 404,
      });
    return run;
  };

  app.get('/api/runs/:runId', async (c) => {
    parseQuery(new URL(c.req.url), emptyQuery);
    const body: RunResponse = { run: runView(await runOr404(c.req.param('runId'))) };
    return c.json(body);
  });

  app.get('/api/runs/:runId/metric-history', async (c) => {
    const q = parseQuery(new URL(c.req.url), metricHistoryQuery);
    const runId = c.req.param('runId');
    await runOr404(runId);
    const history = await ctx.store.getMetricHistory(runId, q.key);
    const body: MetricHistoryResponse = { runId, key: q.key, history: history.map(metricView) };
    return c.json(body);
  });
}
