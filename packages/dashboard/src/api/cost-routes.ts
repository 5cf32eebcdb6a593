import type { Hono } from 'hono';
import { bucketOf, cachedAggregate, fillBuckets, scopeOf } from './analytics-routes.js';
import type { ApiContext } from './context.js';
import { costsQuery, modelCostsQuery, parseQuery } from './query.js';
import type { CostsResponse, ModelCostsResponse } from './types.js';

/**
 * `/api/costs` (trace cost per bucket) and `/api/costs/models` (per model). Apart from
 * `/api/metrics`: without SQL for them they are a scan, which must not hold up the other
 * charts; and the per-model table reads spans.
 */
export function registerCostRoutes(app: Hono, ctx: ApiContext): void {
  app.get('/api/costs', async (c) => {
    const q = parseQuery(new URL(c.req.url), costsQuery);
    const scope = await scopeOf(ctx, q);
    const bucketMs = bucketOf(scope, q.bucket);
    const result = await cachedAggregate(ctx, 'costs', [scope, bucketMs], () =>
      ctx.costs.costTimeseries(scope, bucketMs),
    );
    const body: CostsResponse = {
      from: scope.from,
      to: scope.to,
      analytics: ctx.costsKind,
      coverage: result.coverage,
      bucketMs,
      points: fillBuckets(result.points, bucketMs, scope, (start) => ({
        start,
        traces: 0,
        pricedTraces: 0,
        cost: null,
      })),
      totals: result.totals,
    };
    return c.json(body);
  });

  app.get('/api/costs/models', async (c) => {
    const q = parseQuery(new URL(c.req.url), modelCostsQuery);
    const scope = await scopeOf(ctx, q);
    const result = await cachedAggregate(ctx, 'cost-models', scope, () =>
      ctx.costs.modelCosts(scope),
    );
    const body: ModelCostsResponse = {
      from: scope.from,
      to: scope.to,
      analytics: ctx.costsKind,
      coverage: result.coverage,
      models: result.models,
    };
    return c.json(body);
  });
}
