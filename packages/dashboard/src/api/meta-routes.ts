import type { Hono } from 'hono';
import type { ApiContext } from './context.js';
import { emptyQuery, parseQuery } from './query.js';
import type { ExperimentSummary, ExperimentsResponse, HealthResponse } from './types.js';

/** `/api/health` and `/api/experiments`. */
export function registerMetaRoutes(app: Hono, ctx: ApiContext): void {
  app.get('/api/health', (c) => {
    parseQuery(new URL(c.req.url), emptyQuery);
    const body: HealthResponse = {
      ok: true,
      version: ctx.version,
      store: { uri: ctx.store.uri, capabilities: ctx.store.capabilities },
      analytics: { kind: ctx.queries.kind, description: ctx.queries.description },
      now: ctx.now(),
      user: ctx.user,
    };
    return c.json(body);
  });

  app.get('/api/experiments', async (c) => {
    parseQuery(new URL(c.req.url), emptyQuery);
    const experiments = await ctx.experiments();
    const stats = await ctx.aggregates.get('experiment-stats', () =>
      ctx.queries.experimentStats(experiments.map((e) => e.experimentId)),
    );
    const byId = new Map(
      (stats as Awaited<ReturnType<typeof ctx.queries.experimentStats>>).map((s) => [
        s.experimentId,
        s,
      ]),
    );
    const list: ExperimentSummary[] = experiments.map((e) => {
      const s = byId.get(e.experimentId);
      return {
        experimentId: e.experimentId,
        name: e.name,
        creationTime: e.creationTime,
        lastUpdateTime: e.lastUpdateTime,
        tags: e.tags,
        traces: s?.traces ?? 0,
        tracesExact: s?.tracesExact ?? true,
        firstTraceTime: s?.firstTraceTime ?? null,
        lastTraceTime: s?.lastTraceTime ?? null,
      };
    });
    const newest = list
      .filter((e) => e.lastTraceTime !== null)
      .sort((a, b) => b.lastTraceTime! - a.lastTraceTime!)[0];
    const body: ExperimentsResponse = {
      experiments: list,
      defaultExperimentId:
        newest?.experimentId ??
        list.find((e) => e.name !== 'Default')?.experimentId ??
        list[0]?.experimentId ??
        null,
    };
    return c.json(body);
  });
}
