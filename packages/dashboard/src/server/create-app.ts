import { consoleLogger, type Logger, type TrackingStore } from '@graphtrace/core';
import { Hono } from 'hono';
import { registerAnalyticsRoutes } from '../api/analytics-routes.js';
import { createApiContext } from '../api/context.js';
import { registerCostRoutes } from '../api/cost-routes.js';
import { LiveHub } from '../api/live-hub.js';
import { registerLiveRoutes } from '../api/live-routes.js';
import type { LiveOptions } from '../api/live-types.js';
import { registerMetaRoutes } from '../api/meta-routes.js';
import { registerRunRoutes } from '../api/runs-routes.js';
import { COUNT_KEY, registerTraceRoutes } from '../api/traces-routes.js';
import { DashboardError, errorResponse } from '../errors.js';
import { scanQueries } from '../queries/scan-queries.js';
import type { DashboardQueries } from '../queries/types.js';
import { requestAllowed } from './host-guard.js';
import { type Asset, defaultAssetsDir, loadAssets } from './static-assets.js';

export interface DashboardAppOptions {
  /**
   * Aggregates. Default: `scanQueries(store)` (bounded paging through searchTraces). For a
   * SQLite store pass `sqliteAnalytics(store)` from @graphtrace/store-sqlite: indexed SQL.
   * Cost aggregates it does not implement are computed by `costQueries(store)` (a scan).
   */
  queries?: DashboardQueries;
  logger?: Logger;
  /**
   * `loopback` (default): answer only requests addressed to localhost / 127.0.0.1 / [::1]
   * (DNS-rebinding protection); `any` when the dashboard is exposed on purpose.
   */
  allowedHosts?: 'loopback' | 'any';
  /** The built web app; default this package's `dist/web`. */
  assetsDir?: string;
  /** How long aggregates are reused, ms (default 10 000; 0 turns the cache off). */
  cacheTtlMs?: number;
  /** Server clock (tests). */
  now?: () => number;
  /** Live push of new traces (`GET /api/live`): how often the store is read, stream cap, heartbeat. */
  live?: LiveOptions;
  /**
   * Aborting it ends the live streams and stops their store reads (`startDashboard`'s `close()`
   * does); without it they end as their clients leave.
   */
  signal?: AbortSignal;
}

/** A Hono app with the JSON API and the web app; `app.request()` drives it in tests. */
export type DashboardApp = Hono;

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

const MISSING_APP = `<!doctype html><meta charset="utf-8"><title>graphtrace dashboard</title>
<p>The dashboard's web app is not built. Run <code>pnpm --filter @graphtrace/dashboard build</code>;
the JSON API under <a href="/api/health">/api/health</a> works meanwhile.</p>`;

/**
 * The dashboard over any TrackingStore: the JSON API under `/api` (typed, zod-validated;
 * errors are `{ error: { code, message, column?, param? } }` with 4xx statuses for what the
 * caller can fix) and the built web app at `/`.
 */
export function createDashboardApp(
  store: TrackingStore,
  options: DashboardAppOptions = {},
): DashboardApp {
  const logger = options.logger ?? consoleLogger;
  const queries = options.queries ?? scanQueries(store);
  const ctx = createApiContext({
    store,
    queries,
    logger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }),
  });
  // Counts cached before new traces arrived are short of them: a refresh must not show "40
  // traces" beside 41 rows.
  const live = new LiveHub(
    ctx,
    options.live ?? {},
    () => ctx.aggregates.forget(COUNT_KEY),
    options.cacheTtlMs ?? 10_000,
  );
  if (options.signal?.aborted) live.close();
  else options.signal?.addEventListener('abort', () => live.close(), { once: true });
  const mode = options.allowedHosts ?? 'loopback';
  const assetsDir = options.assetsDir ?? defaultAssetsDir();
  let assets: Map<string, Asset> | null | undefined;

  const app = new Hono();

  app.use('*', async (c, next) => {
    const allowed = requestAllowed(c.req.raw, mode);
    if (!allowed.ok) {
      const body = errorResponse(
        new DashboardError(
          'FORBIDDEN_HOST',
          `refused: ${allowed.why}. This dashboard listens on a loopback address; open it as http://127.0.0.1:<port>/, or start it with --host to expose it.`,
          { status: 403 },
        ),
      );
      return c.json(body.body, 403);
    }
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
  });

  registerMetaRoutes(app, ctx);
  registerTraceRoutes(app, ctx);
  registerAnalyticsRoutes(app, ctx);
  registerCostRoutes(app, ctx);
  registerRunRoutes(app, ctx);
  registerLiveRoutes(app, live);

  app.all('/api/*', (c) => {
    const { body } = errorResponse(
      new DashboardError('NOT_FOUND', `no API endpoint ${c.req.method} ${c.req.path}`, {
        status: 404,
      }),
    );
    return c.json(body, 404);
  });

  app.get('*', (c) => {
    assets ??= loadAssets(assetsDir);
    if (!assets) {
      if (c.req.path === '/') return c.html(MISSING_APP, 503);
      return c.text('Not found', 404);
    }
    const asset = assets.get(c.req.path === '/' ? '/index.html' : c.req.path);
    if (!asset) return c.text('Not found', 404);
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(asset.body as Uint8Array<ArrayBuffer>);
  });

  app.onError((err, c) => {
    const { status, body } = errorResponse(err);
    if (status >= 500) {
      logger.error(
        `dashboard: ${c.req.method} ${c.req.path} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
    return c.json(body, status as 400);
  });

  return app;
}
