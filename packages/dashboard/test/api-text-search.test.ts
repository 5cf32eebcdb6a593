import { createTracker, SpanType, silentLogger } from '@graphtrace/core';
import { type SqliteAnalytics, sqliteAnalytics } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTracesText, searchTracesText } from '../src/api/text-search.js';
import { createDashboardApp, type DashboardApp, type TracesResponse } from '../src/index.js';
import { call, qs } from './helpers/api.js';
import { EXPERIMENT, QUESTIONS, seedSqlite } from './helpers/seed.js';

/*
 * Free-text search (`search=`) over request and response previews, read page by page up to a
 * bound, and trace counts that follow new traces inside the aggregate cache.
 */

let seeded: Awaited<ReturnType<typeof seedSqlite>>;
let analytics: SqliteAnalytics;
let app: DashboardApp;

beforeAll(async () => {
  seeded = await seedSqlite({ traces: 40 });
  analytics = sqliteAnalytics(seeded.store);
  // The default cache: counts are reused for 10 s.
  app = createDashboardApp(seeded.store, { queries: analytics });
}, 60_000);

afterAll(async () => {
  await analytics?.close();
  await seeded?.remove();
});

/** The seeded traces asked question `q` (one in five, newest first as the list is). */
const askedAbout = (q: number) =>
  seeded.traceIds.filter((_, i) => i % QUESTIONS.length === q).reverse();

describe('GET /api/traces?search=', () => {
  it('finds words in the request or the response, in any case, page by page', async () => {
    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const r = await call<TracesResponse>(
        app,
        `/api/traces${qs({ experiment: seeded.experimentId, search: 'PARIS', pageSize: 3, pageToken })}`,
      );
      expect(r.status).toBe(200);
      expect(r.body.search).toMatchObject({ limitReached: false });
      ids.push(...r.body.traces.map((t) => t.traceId));
      pageToken = r.body.nextPageToken ?? undefined;
      pages++;
    } while (pageToken);
    expect(ids).toEqual(askedAbout(0));
    expect(pages).toBe(3);

    // Only in the response: the weather tool's "sunny".
    const sunny = await call<TracesResponse>(
      app,
      `/api/traces${qs({ experiment: seeded.experimentId, search: 'sunny' })}`,
    );
    expect(sunny.body.traces.map((t) => t.traceId)).toEqual(askedAbout(0));
    expect(sunny.body.traces[0]!.requestPreview).not.toMatch(/sunny/i);

    // With a filter, in its order; and a trace id finds its trace.
    const slow = await call<TracesResponse>(
      app,
      `/api/traces${qs({ experiment: seeded.experimentId, search: 'what is', filter: "attributes.status = 'ERROR'", orderBy: 'execution_time_ms DESC' })}`,
    );
    expect(new Set(slow.body.traces.map((t) => t.traceId))).toEqual(new Set(askedAbout(2)));
    const times = slow.body.traces.map((t) => t.durationMs!);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const byId = await call<TracesResponse>(
      app,
      `/api/traces${qs({ experiment: seeded.experimentId, search: seeded.errorTraceId.slice(3) })}`,
    );
    expect(byId.body.traces.map((t) => t.traceId)).toEqual([seeded.errorTraceId]);
  });

  it('reads at most a bounded number of traces a request, and resumes from its token', async () => {
    const query = { experimentIds: [seeded.experimentId], maxResults: 50 };
    const first = await searchTracesText(seeded.store, query, 'password', 12);
    expect(first).toMatchObject({ scanned: 12, limitReached: true });
    // Of the newest 12 traces (i = 39…28), those asked question 1: i = 36 and 31.
    const inNewest12 = askedAbout(1).slice(0, 2);
    expect(first.items.map((t) => t.traceId)).toEqual(inNewest12);
    const rest = await searchTracesText(
      seeded.store,
      { ...query, pageToken: first.nextPageToken },
      'password',
      1000,
    );
    expect(rest).toMatchObject({ scanned: 28, limitReached: false, nextPageToken: null });
    expect([...first.items, ...rest.items].map((t) => t.traceId)).toEqual(askedAbout(1));

    expect(await countTracesText(seeded.store, query, 'password', 12)).toEqual({
      count: 2,
      exact: false,
    });
    expect(await countTracesText(seeded.store, query, 'password')).toEqual({
      count: 8,
      exact: true,
    });
  });

  it('counts matches, and refuses a token of another query or an overlong search', async () => {
    const count = await call(
      app,
      `/api/traces/count${qs({ experiment: seeded.experimentId, search: 'What is' })}`,
    );
    expect(count.body).toEqual({ count: 16, exact: true });

    const plain = await call<TracesResponse>(
      app,
      `/api/traces${qs({ experiment: seeded.experimentId, pageSize: 2 })}`,
    );
    const mixed = await call(
      app,
      `/api/traces${qs({ experiment: seeded.experimentId, search: 'x', pageToken: plain.body.nextPageToken! })}`,
    );
    expect(mixed.status).toBe(400);
    expect(mixed.body.error).toMatchObject({ code: 'INVALID_QUERY', param: 'pageToken' });
    const long = await call(app, `/api/traces${qs({ search: 'x'.repeat(501) })}`);
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({ param: 'search' });
    const badFilter = await call(app, `/api/traces/count${qs({ search: 'x', filter: 'a = b' })}`);
    expect(badFilter.status).toBe(400);
  });
});

describe('trace counts and new traces', () => {
  it('counts a new trace as soon as the live refresh has seen it, inside the cache', async () => {
    const scope = qs({ experiment: seeded.experimentId });
    expect((await call(app, `/api/traces/count${scope}`)).body).toEqual({
      count: 40,
      exact: true,
    });
    const tracker = createTracker({
      store: seeded.store,
      experimentName: EXPERIMENT,
      logger: silentLogger,
      handleExitSignals: false,
    });
    await tracker.withSpan({ name: 'late', spanType: SpanType.AGENT }, async () => 'ok');
    await tracker.shutdown();
    // Within the cache's 10 s, the count is reused...
    expect((await call(app, `/api/traces/count${scope}`)).body.count).toBe(40);
    // ...until the live refresh finds the new trace (and matches it against a search).
    const since = seeded.lastTime;
    const found = await call(
      app,
      `/api/traces/new${qs({ experiment: seeded.experimentId, since, search: 'paris' })}`,
    );
    expect(found.body).toMatchObject({ count: 0, capped: false });
    expect((await call(app, `/api/traces/count${scope}`)).body).toEqual({
      count: 41,
      exact: true,
    });
    const any = await call(app, `/api/traces/new${qs({ experiment: seeded.experimentId, since })}`);
    expect(any.body).toMatchObject({ count: 1 });
  });
});
