import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentLogger, type TrackingStore } from '@graphtrace/core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailability } from '@graphtrace/mlflow-testkit';
import { sqliteAnalytics, sqliteStore } from '@graphtrace/store-sqlite';
import Database from 'better-sqlite3';
import { type Benchmark, sideBySide } from '../harness.js';
import { benchmark as searchBenchmark } from './sqlite-search.js';

/*
 * How fast the dashboard shows its first content at 100k traces / 2M spans, measured in the
 * browser: the web app sets a performance mark when a page first renders with its data, and its
 * startTime is read back (ms from the start of the navigation: HTML, script, API calls, render).
 *
 * The database is the sqlite-search benchmark's (seeded by it when missing). @graphtrace/dashboard
 * and playwright-core are loaded from the dashboard package (this package does not list them).
 */

const SPANS_PER_TRACE = 20;
function traceCount(): number {
  if (process.argv.includes('--small') || process.env.GRAPHTRACE_BENCH_SMALL === '1') return 10_000;
  return Number(process.env.GRAPHTRACE_BENCH_SEARCH_TRACES ?? 100_000);
}

/** The sqlite-search benchmark's database, seeded by that benchmark when missing or partial. */
async function database(traces: number): Promise<string> {
  const path = join(tmpdir(), `graphtrace-bench-search-${traces}x${SPANS_PER_TRACE}-v1.db`);
  const complete = () => {
    if (!existsSync(path)) return false;
    const db = new Database(path, { readonly: true });
    try {
      const row = db
        .prepare("SELECT value FROM experiment_tags WHERE key = 'graphtrace.bench.seeded'")
        .get() as { value: string } | undefined;
      return row?.value === 'complete';
    } catch {
      return false;
    } finally {
      db.close();
    }
  };
  if (!complete()) await searchBenchmark.run({ rounds: 1 });
  return path;
}

// What this benchmark uses of @graphtrace/dashboard and playwright-core.
interface DashboardModule {
  startDashboard(options: {
    store: TrackingStore;
    port: number;
    logger: typeof silentLogger;
    queries: unknown;
    cacheTtlMs: number;
  }): Promise<{ url: string; close(): Promise<void> }>;
}
interface PageLike {
  goto(url: string, options?: { waitUntil?: 'commit' }): Promise<unknown>;
  waitForFunction<A>(
    fn: (arg: A) => unknown,
    arg: A,
    options?: { timeout?: number },
  ): Promise<unknown>;
  evaluate<T, A>(fn: (arg: A) => T, arg: A): Promise<T>;
}
interface PlaywrightModule {
  chromium: {
    launchPersistentContext(
      dir: string,
      options: Record<string, unknown>,
    ): Promise<{ newPage(): Promise<PageLike>; close(): Promise<void> }>;
  };
}

const dashboardDir = fileURLToPath(new URL('../../../packages/dashboard/', import.meta.url));

async function loadModules(): Promise<
  { dashboard: DashboardModule; playwright: PlaywrightModule } | string
> {
  const entry = join(dashboardDir, 'dist', 'index.js');
  if (!existsSync(join(dashboardDir, 'dist', 'web', 'index.html')))
    return 'the dashboard is not built: run `pnpm --filter @graphtrace/dashboard build` first';
  const chromium = chromiumAvailability();
  if (!chromium.ok) return chromium.reason;
  const fromDashboard = createRequire(join(dashboardDir, 'package.json'));
  // Resolved as `require` resolves it: the CommonJS entry, whose exports sit on `default`.
  const playwright = (await import(
    pathToFileURL(fromDashboard.resolve('playwright-core')).href
  )) as {
    default?: PlaywrightModule;
  } & Partial<PlaywrightModule>;
  return {
    dashboard: (await import(pathToFileURL(entry).href)) as DashboardModule,
    playwright: playwright.chromium ? (playwright as PlaywrightModule) : playwright.default!,
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

export const benchmark: Benchmark = {
  name: 'dashboard-render',
  description:
    'dashboard first content in Chromium at 100k traces / 2M spans: traces page, trace page, metrics and tools over all time',
  async run({ rounds }) {
    const modules = await loadModules();
    if (typeof modules === 'string')
      return { results: [], figures: {}, notes: [`skipped: ${modules}`] };
    const traces = traceCount();
    const path = await database(traces);
    const store = sqliteStore({ path, readOnly: true });
    const queries = sqliteAnalytics(store);
    const server = await modules.dashboard.startDashboard({
      store,
      port: 0,
      logger: silentLogger,
      queries,
      cacheTtlMs: 0, // every load computes afresh
    });
    const profile = mkdtempSync(join(tmpdir(), 'graphtrace-bench-chromium-'));
    const context = await modules.playwright.chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
    const raw = new Database(path, { readonly: true });
    const ids = (
      raw.prepare('SELECT request_id FROM trace_info ORDER BY random() LIMIT 200').all() as {
        request_id: string;
      }[]
    ).map((r) => r.request_id);
    raw.close();
    let k = 0;

    try {
      const page = await context.newPage();
      const marks = new Map<string, number[]>();
      /** Loads `hash` as a new document and returns the page's first-content mark, in ms. */
      const load = async (hash: string, mark: string) => {
        await page.goto('about:blank');
        await page.goto(`${server.url}/${hash}`, { waitUntil: 'commit' });
        // Functions, not strings: the dashboard's CSP forbids eval in the page.
        await page.waitForFunction(
          (name) => performance.getEntriesByName(name, 'mark').length > 0,
          mark,
          { timeout: 60_000 },
        );
        return page.evaluate(
          (name) => performance.getEntriesByName(name, 'mark')[0]!.startTime,
          mark,
        );
      };
      const variant = (name: string, hash: () => string, mark: string) => ({
        name,
        async round() {
          const ms = await load(hash(), mark);
          const list = marks.get(name) ?? [];
          list.push(ms);
          marks.set(name, list);
          return 1;
        },
      });
      // The very first load: nothing cached in the browser yet.
      const cold = await load('#/traces', 'graphtrace:traces:first-content');
      const variants = [
        variant(
          'traces page (first 50 of all traces)',
          () => '#/traces',
          'graphtrace:traces:first-content',
        ),
        variant(
          'trace page (20 spans)',
          () => `#/traces/${ids[k++ % ids.length]}`,
          'graphtrace:trace:first-content',
        ),
        variant(
          'metrics page, all time',
          () => '#/metrics?range=all',
          'graphtrace:metrics:first-content',
        ),
        variant(
          'tools page, all time',
          () => '#/tools?range=all',
          'graphtrace:tools:first-content',
        ),
      ];
      // The server runs in this process: how long did its event loop ever wait (a long
      // synchronous SQLite query would show here; the analytics run on a worker thread)?
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const results = await sideBySide(variants, rounds, 2);
      loop.disable();
      const figures: Record<string, number> = {
        traces,
        spans: traces * SPANS_PER_TRACE,
        'traces page cold first content ms': cold,
        'server event-loop delay max ms': loop.max / 1e6,
        'server event-loop delay p99 ms': loop.percentile(99) / 1e6,
      };
      const short: Record<string, string> = {
        'traces page (first 50 of all traces)': 'traces page',
        'trace page (20 spans)': 'trace page',
        'metrics page, all time': 'metrics all-time',
        'tools page, all time': 'tools all-time',
      };
      for (const v of variants) {
        // sideBySide keeps warm-up rounds out of its figures; do the same here.
        const ms = (marks.get(v.name) ?? []).slice(2);
        figures[`${short[v.name]} first content p50 ms`] = quantile(ms, 0.5);
        figures[`${short[v.name]} first content p95 ms`] = quantile(ms, 0.95);
      }
      return {
        results,
        figures,
        notes: [
          'target: traces page and trace page first content < 1000 ms',
          'first content: performance.mark when the page first renders with its data, ms from navigation start, in headless Chromium (1280×800); results above are wall times of a whole load seen from Node',
          'analytics: sqliteAnalytics (SQL); the dashboard cache is off, so every load queries the database',
          `database: ${path}`,
        ],
      };
    } finally {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
      await server.close();
      await queries.close();
      await store.close();
    }
  },
};
