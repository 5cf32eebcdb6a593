import { summariseTraces, type TraceInfo } from '@graphtrace/core';
import { type SqliteAnalytics, sqliteAnalytics } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDashboardApp,
  type DashboardApp,
  type DashboardQueries,
  type MetricsResponse,
  nearestRank,
  type QualityResponse,
  type SessionsResponse,
  scanQueries,
  type ToolsResponse,
} from '../src/index.js';
import { call, qs } from './helpers/api.js';
import { seedSqlite } from './helpers/seed.js';

let seeded: Awaited<ReturnType<typeof seedSqlite>>;
let analytics: SqliteAnalytics;
let sqlApp: DashboardApp;
let scanApp: DashboardApp;
let infos: TraceInfo[];
let range: { from: number; to: number };

// A type-level check that the SQLite implementation satisfies the dashboard's port.
const satisfiesPort = (a: SqliteAnalytics): DashboardQueries => a;

beforeAll(async () => {
  seeded = await seedSqlite({ traces: 40 });
  analytics = sqliteAnalytics(seeded.store);
  sqlApp = createDashboardApp(seeded.store, { queries: satisfiesPort(analytics), cacheTtlMs: 0 });
  scanApp = createDashboardApp(seeded.store, { cacheTtlMs: 0 });
  infos = (
    await seeded.store.searchTraces({ experimentIds: [seeded.experimentId], maxResults: 1000 })
  ).traces;
  range = { from: seeded.firstTime - 3_600_000, to: seeded.lastTime + 3_600_000 };
}, 60_000);

afterAll(async () => {
  await analytics?.close();
  await seeded?.remove();
});

/** The same request to the SQL-backed and the scanning app: the figures must agree. */
async function both<T>(path: string): Promise<[T, T]> {
  const [a, b] = await Promise.all([call<T>(sqlApp, path), call<T>(scanApp, path)]);
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  expect(b.status, JSON.stringify(b.body)).toBe(200);
  return [a.body, b.body];
}

function withoutSource<T extends { analytics: string }>(body: T): Omit<T, 'analytics'> {
  const { analytics: _, ...rest } = body;
  return rest;
}

describe('GET /api/metrics', () => {
  it('agrees with core summariseTraces over the same traces, by SQL and by scan', async () => {
    const [sql, scan] = await both<MetricsResponse>(
      `/api/metrics${qs({ experiment: seeded.experimentId, ...range, bucket: 600_000 })}`,
    );
    expect(sql.analytics).toBe('sql');
    expect(scan.analytics).toBe('scan');
    expect(withoutSource(sql)).toEqual(withoutSource(scan));

    const expected = summariseTraces(infos);
    expect(sql.totals).toEqual({
      traces: 40,
      errors: expected.errorTraces,
      latencyP50Ms: expected.latencyMs.p50,
      latencyP95Ms: expected.latencyMs.p95,
      inputTokens: expected.tokens.input,
      outputTokens: expected.tokens.output,
      llmCalls: expected.llmCalls,
      toolCalls: expected.toolCalls,
      tracesWithCalls: 40,
    });
    expect(expected.errorTraces).toBe(8);
    expect(sql.coverage).toEqual({ traces: 40, complete: true });
    // Every 10-minute bucket of the range is listed, empty ones as zeros.
    expect(sql.points).toHaveLength(Math.ceil((range.to - range.from) / 600_000));
    expect(sql.points.reduce((n, p) => n + p.traces, 0)).toBe(40);
    expect(sql.points[0]).toMatchObject({ traces: 0, latencyP50Ms: null });
    const busy = sql.points.find((p) => p.traces > 0)!;
    const inBucket = infos
      .filter((t) => t.requestTime >= busy.start && t.requestTime < busy.start + 600_000)
      .map((t) => t.executionDuration!)
      .sort((a, b) => a - b);
    expect(busy.traces).toBe(inBucket.length);
    expect(busy.latencyP95Ms).toBe(nearestRank(inBucket, 95));
  });

  it('applies the trace filter to the aggregates', async () => {
    const [sql, scan] = await both<MetricsResponse>(
      `/api/metrics${qs({ ...range, filter: "attributes.status = 'ERROR'" })}`,
    );
    expect(sql.totals.traces).toBe(8);
    expect(sql.totals.errors).toBe(8);
    expect(withoutSource(sql)).toEqual(withoutSource(scan));
  });

  it('chooses an interval for the range, and refuses too many intervals or a reversed range', async () => {
    const auto = await call<MetricsResponse>(sqlApp, `/api/metrics${qs(range)}`);
    expect(auto.body.bucketMs).toBe(300_000); // 3 h 40 min: 5-minute intervals (at most 200)
    const tooMany = await call(
      sqlApp,
      `/api/metrics${qs({ from: 0, to: range.to, bucket: 1000 })}`,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ code: 'INVALID_QUERY', param: 'bucket' });
    const reversed = await call(sqlApp, `/api/metrics${qs({ from: range.to, to: range.from })}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.error).toMatchObject({
      message: 'query parameter `from` must be before `to`',
      param: 'from',
    });
    const badFilter = await call(
      sqlApp,
      `/api/metrics${qs({ ...range, filter: "status = 'MAYBE'" })}`,
    );
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error).toMatchObject({ code: 'INVALID_FILTER', column: 10 });
  });
});

describe('GET /api/tools', () => {
  it('gives calls, errors and latency per tool, with the slowest and failing calls', async () => {
    const [sql, scan] = await both<ToolsResponse>(`/api/tools${qs({ ...range, examples: 3 })}`);
    expect(withoutSource(sql)).toEqual(withoutSource(scan));
    expect(sql.tools.map((t) => [t.name, t.calls, t.errors])).toEqual([
      ['search_docs', 16, 0],
      ['calculator', 8, 8],
      ['get_weather', 8, 0],
      ['office_hours', 8, 0],
    ]);
    const calc = sql.tools.find((t) => t.name === 'calculator')!;
    expect(calc.failing).toHaveLength(3);
    expect(calc.failing[0]).toMatchObject({ error: 'RangeError: division by zero' });
    expect(seeded.traceIds).toContain(calc.failing[0]!.traceId);
    const times = calc.failing.map((f) => f.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    // Latency figures against the spans themselves.
    const durations: number[] = [];
    for (const id of seeded.traceIds) {
      const trace = await seeded.store.getTrace(id);
      for (const s of trace!.spans)
        if (s.name === 'search_docs')
          durations.push(Number(s.endTimeUnixNano! - s.startTimeUnixNano) / 1e6);
    }
    durations.sort((a, b) => a - b);
    const docs = sql.tools.find((t) => t.name === 'search_docs')!;
    expect(docs.latencyP50Ms).toBe(nearestRank(durations, 50));
    expect(docs.latencyP95Ms).toBe(nearestRank(durations, 95));
    expect(docs.latencyMaxMs).toBe(durations.at(-1));
    expect(docs.slowest.map((s) => s.durationMs)).toEqual(durations.slice(-3).reverse());
  });

  it('reads a narrow range trace by trace and gives the same figures as the scan', async () => {
    const narrow = { from: seeded.firstTime, to: seeded.firstTime + 20 * 60_000 };
    const [sql, scan] = await both<ToolsResponse>(`/api/tools${qs(narrow)}`);
    expect(withoutSource(sql)).toEqual(withoutSource(scan));
    expect(sql.coverage.traces).toBeLessThan(40);
    expect(sql.tools.reduce((n, t) => n + t.calls, 0)).toBe(sql.coverage.traces);
  });
});

describe('GET /api/sessions', () => {
  it('groups traces by session, most recently active first, one page at a time', async () => {
    const [sql, scan] = await both<SessionsResponse>(`/api/sessions${qs(range)}`);
    expect(withoutSource(sql)).toEqual(withoutSource(scan));
    expect(sql.total).toBe(6);
    expect(sql.sessions.map((s) => s.traces).sort()).toEqual([6, 6, 7, 7, 7, 7]);
    const last = sql.sessions.map((s) => s.lastTime);
    expect(last).toEqual([...last].sort((a, b) => b - a));
    const s3 = sql.sessions.find((s) => s.session === 'session-3')!;
    const s3Traces = infos.filter((t) => t.traceMetadata['mlflow.trace.session'] === 'session-3');
    expect(s3).toMatchObject({
      traces: s3Traces.length,
      errors: s3Traces.filter((t) => t.state === 'ERROR').length,
      firstTime: Math.min(...s3Traces.map((t) => t.requestTime)),
      lastTime: Math.max(...s3Traces.map((t) => t.requestTime + t.executionDuration!)),
      user: 'alice',
    });
    expect(s3.errors).toBe(2); // i = 2 and 32: the calculator question
    const page = await call<SessionsResponse>(
      sqlApp,
      `/api/sessions${qs({ ...range, limit: 2, offset: 2 })}`,
    );
    expect(page.body.sessions.map((s) => s.session)).toEqual(
      sql.sessions.slice(2, 4).map((s) => s.session),
    );
    expect(page.body).toMatchObject({ total: 6, offset: 2 });
  });

  it("lists one session's traces in order", async () => {
    const r = await call(sqlApp, '/api/sessions/session-2/traces');
    expect(r.status).toBe(200);
    expect(r.body.traces).toHaveLength(7);
    expect(r.body.traces.every((t: any) => t.session === 'session-2')).toBe(true);
    const times = r.body.traces.map((t: any) => t.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const quoted = await call(sqlApp, `/api/sessions/${encodeURIComponent("it's \\ odd")}/traces`);
    expect(quoted.body).toEqual({ session: "it's \\ odd", traces: [], truncated: false });
  });
});

describe('GET /api/quality', () => {
  it('aggregates feedback and expectations per name and lists the newest', async () => {
    const [sql, scan] = await both<QualityResponse>(
      `/api/quality${qs({ from: 0, to: Date.now() + 60_000 })}`,
    );
    expect(withoutSource(sql)).toEqual(withoutSource(scan));
    const byName = Object.fromEntries(sql.names.map((n) => [n.name, n]));
    expect(byName.helpfulness).toMatchObject({
      kind: 'feedback',
      count: 1,
      numeric: { count: 1, mean: 4, min: 4, max: 4 },
      booleans: null,
    });
    expect(byName.expected_answer).toMatchObject({
      kind: 'expectation',
      labels: [{ value: 'Sunny, 18 °C', count: 1 }],
    });
    expect(sql.recent.map((a) => a.name).sort()).toEqual(['expected_answer', 'helpfulness']);
    expect(sql.recent[0]!.traceName).toBe('support_agent');
  });

  it('counts new thumbs from the dashboard at once', async () => {
    for (const [i, value] of [
      [10, true],
      [11, true],
      [12, false],
    ] as const) {
      const r = await call(sqlApp, `/api/traces/${seeded.traceIds[i]}/assessments`, {
        json: { name: 'thumbs', value },
      });
      expect(r.status).toBe(201);
    }
    const r = await call<QualityResponse>(
      sqlApp,
      `/api/quality${qs({ from: 0, to: Date.now() + 60_000, name: 'thumbs' })}`,
    );
    expect(r.body.names.find((n) => n.name === 'thumbs')).toMatchObject({
      count: 3,
      booleans: { true: 2, false: 1 },
    });
    expect(r.body.recent.map((a) => a.name)).toEqual(['thumbs', 'thumbs', 'thumbs']);
  });
});

describe('the scan fallback', () => {
  it('says when its window cut the range short', async () => {
    const small = scanQueries(seeded.store, { maxTraces: 10, pageSize: 4 });
    const result = await small.timeseries(
      { experimentIds: [seeded.experimentId], ...range },
      600_000,
    );
    expect(result.coverage).toEqual({ traces: 10, complete: false });
    expect(result.totals.traces).toBe(10);
    const newest = [...infos].sort((a, b) => b.requestTime - a.requestTime).slice(0, 10);
    expect(result.totals.inputTokens).toBe(summariseTraces(newest).tokens.input);
    expect(await small.countTraces({ experimentIds: [seeded.experimentId] })).toEqual({
      count: 10,
      exact: false,
    });
    const counted = scanQueries(seeded.store, { maxCountedPerExperiment: 5 });
    expect(await counted.experimentStats([seeded.experimentId])).toEqual([
      {
        experimentId: seeded.experimentId,
        traces: 5,
        tracesExact: false,
        firstTraceTime: seeded.firstTime,
        lastTraceTime: seeded.lastTime,
      },
    ]);
    const app = createDashboardApp(seeded.store, { queries: small, cacheTtlMs: 0 });
    const metrics = await call<MetricsResponse>(app, `/api/metrics${qs(range)}`);
    expect(metrics.body.coverage).toEqual({ traces: 10, complete: false });
  });
});
