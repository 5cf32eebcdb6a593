import {
  createTracker,
  readLlmCost,
  silentLogger,
  summariseTraces,
  type TraceInfo,
} from '@graphtrace/core';
import { type SqliteAnalytics, sqliteAnalytics } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CostsResponse,
  costQueries,
  createDashboardApp,
  type DashboardApp,
  type DashboardQueries,
  type MetricsResponse,
  type ModelCostsResponse,
  nearestRank,
  type QualityResponse,
  type SessionsResponse,
  scanQueries,
  type ToolsResponse,
} from '../src/index.js';
import { call, qs } from './helpers/api.js';
import { seedSqlite } from './helpers/seed.js';
import { type SeededCosts, seedCosts } from './helpers/seed-costs.js';

let seeded: Awaited<ReturnType<typeof seedSqlite>>;
let costs: SeededCosts;
/** The minute the cost traces were written in. */
let costMinute: number;
let analytics: SqliteAnalytics;
let sqlApp: DashboardApp;
let scanApp: DashboardApp;
let infos: TraceInfo[];
let range: { from: number; to: number };

// A type-level check that the SQLite implementation satisfies the dashboard's port.
const satisfiesPort = (a: SqliteAnalytics): DashboardQueries => a;

beforeAll(async () => {
  seeded = await seedSqlite({ traces: 40 });
  // A day before the agent's traces (outside `range`), in an experiment of their own.
  costMinute = Math.floor((seeded.firstTime - 86_400_000) / 60_000) * 60_000;
  costs = await seedCosts(seeded.store, costMinute);
  analytics = sqliteAnalytics(seeded.store);
  sqlApp = createDashboardApp(seeded.store, { queries: satisfiesPort(analytics), cacheTtlMs: 0 });
  scanApp = createDashboardApp(seeded.store, { cacheTtlMs: 0 });
  infos = (
    await seeded.store.searchTraces({ experimentIds: [seeded.experimentId], maxResults: 1000 })
  ).items;
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

describe('GET /api/costs and /api/costs/models', () => {
  const MINI_TWICE = { input: 0.0003, output: 0.0006, total: 0.0009 };

  it('sums the priced traces per bucket, counting an unpriced trace but never as $0', async () => {
    const oneMinute = { experiment: costs.experimentId, from: costMinute, to: costMinute + 60_000 };
    const [sql, scan] = await both<CostsResponse>(`/api/costs${qs(oneMinute)}`);
    // sqliteAnalytics has no cost aggregates: the dashboard scans for them, and says so.
    expect(sql.analytics).toBe('scan');
    expect(withoutSource(sql)).toEqual(withoutSource(scan));
    expect(sql.bucketMs).toBe(60_000);
    expect(sql.points).toEqual([
      { start: costMinute, traces: 3, pricedTraces: 2, cost: MINI_TWICE },
    ]);
    expect(sql.totals).toEqual({ traces: 3, pricedTraces: 2, cost: MINI_TWICE });
    expect(sql.coverage).toEqual({ traces: 3, complete: true });

    // Buckets without traces, or without priced ones, have no cost (not 0).
    const unpricedOnly = await call<CostsResponse>(
      sqlApp,
      `/api/costs${qs({ ...oneMinute, filter: "attributes.name = 'unpriced_agent'" })}`,
    );
    expect(unpricedOnly.body.totals).toEqual({ traces: 1, pricedTraces: 0, cost: null });
    const hour = await call<CostsResponse>(
      sqlApp,
      `/api/costs${qs({ ...oneMinute, to: costMinute + 3_600_000, bucket: 600_000 })}`,
    );
    expect(hour.body.points).toHaveLength(6);
    expect(hour.body.points[1]).toEqual({
      start: costMinute + 600_000,
      traces: 0,
      pricedTraces: 0,
      cost: null,
    });
  });

  it('sums the agent traces as recorded, over the buckets of /api/metrics', async () => {
    const q = { experiment: seeded.experimentId, ...range, bucket: 600_000 };
    const [sql, scan] = await both<CostsResponse>(`/api/costs${qs(q)}`);
    expect(withoutSource(sql)).toEqual(withoutSource(scan));
    const metrics = await call<MetricsResponse>(sqlApp, `/api/metrics${qs(q)}`);
    expect(sql.points.map((p) => [p.start, p.traces])).toEqual(
      metrics.body.points.map((p) => [p.start, p.traces]),
    );
    const recorded = infos.map((t) => readLlmCost(t.traceMetadata['mlflow.trace.cost'])!);
    expect(recorded.every((c) => c !== null)).toBe(true);
    expect(sql.totals.pricedTraces).toBe(40);
    expect(sql.totals.cost!.total).toBeCloseTo(
      recorded.reduce((n, c) => n + c.total_cost, 0),
      15,
    );
    const errors = await call<CostsResponse>(
      sqlApp,
      `/api/costs${qs({ ...q, filter: "attributes.status = 'ERROR'" })}`,
    );
    expect(errors.body.totals).toMatchObject({ traces: 8, pricedTraces: 8 });
  });

  it('gives calls, tokens and cost per model and provider; an unpriced model has no cost', async () => {
    const oneMinute = { experiment: costs.experimentId, from: costMinute, to: costMinute + 60_000 };
    const [sql, scan] = await both<ModelCostsResponse>(`/api/costs/models${qs(oneMinute)}`);
    expect(withoutSource(sql)).toEqual(withoutSource(scan));
    expect(sql.models).toEqual([
      {
        model: 'gpt-4o-mini',
        provider: 'openai',
        calls: 2,
        pricedCalls: 2,
        inputTokens: 2000,
        outputTokens: 1000,
        cost: MINI_TWICE,
        costPerCall: 0.00045,
      },
      {
        model: 'in-house-model',
        provider: 'acme',
        calls: 2,
        pricedCalls: 0,
        inputTokens: 2000,
        outputTokens: 1000,
        cost: null,
        costPerCall: null,
      },
    ]);
    expect(sql.coverage).toEqual({ traces: 3, complete: true });

    // The agent's calls add up to its traces' cost.
    const agent = await call<ModelCostsResponse>(
      sqlApp,
      `/api/costs/models${qs({ experiment: seeded.experimentId, ...range })}`,
    );
    expect(agent.body.models).toHaveLength(1);
    expect(agent.body.models[0]).toMatchObject({
      model: 'gpt-4o-mini',
      provider: null,
      // Two calls a trace, but one in the 8 whose calculator failed.
      calls: 72,
      pricedCalls: 72,
    });
    const traceCosts = infos.reduce(
      (n, t) => n + readLlmCost(t.traceMetadata['mlflow.trace.cost'])!.total_cost,
      0,
    );
    expect(agent.body.models[0]!.cost!.total).toBeCloseTo(traceCosts, 15);
  });

  it('counts a model call inside another priced model call once', async () => {
    const tracker = createTracker({
      store: seeded.store,
      experimentName: 'nested-models',
      logger: silentLogger,
      handleExitSignals: false,
    });
    // A wrapper that reports the cost of the call it makes (core counts it once in the trace).
    await tracker.withSpan({ name: 'wrapper', spanType: 'LLM' }, async (w) => {
      await tracker.withSpan({ name: 'raw', spanType: 'CHAT_MODEL' }, (s) =>
        s.setAttributes({
          'mlflow.llm.model': 'gpt-4o-mini',
          'mlflow.chat.tokenUsage': { input_tokens: 1000, output_tokens: 500 },
        }),
      );
      w.setAttributes({
        'mlflow.llm.model': 'gpt-4o-mini',
        'mlflow.llm.cost': { input_cost: 1, output_cost: 2, total_cost: 3 },
      });
    });
    await tracker.flushTraces();
    const experiment = await tracker.experimentId();
    const r = await call<ModelCostsResponse>(
      sqlApp,
      `/api/costs/models${qs({ experiment, from: 0, to: Date.now() + 60_000 })}`,
    );
    expect(r.body.models).toEqual([
      expect.objectContaining({
        calls: 1,
        pricedCalls: 1,
        cost: { input: 1, output: 2, total: 3 },
      }),
    ]);
  });

  it('refuses a reversed range, too many buckets and unknown parameters', async () => {
    const reversed = await call(sqlApp, `/api/costs${qs({ from: range.to, to: range.from })}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.error).toMatchObject({ code: 'INVALID_QUERY', param: 'from' });
    const tooMany = await call(sqlApp, `/api/costs${qs({ from: 0, to: range.to, bucket: 1000 })}`);
    expect(tooMany.body.error).toMatchObject({ code: 'INVALID_QUERY', param: 'bucket' });
    const bucket = await call(sqlApp, `/api/costs/models${qs({ ...range, bucket: 60_000 })}`);
    expect(bucket.body.error).toMatchObject({ code: 'INVALID_QUERY', param: 'bucket' });
    const badFilter = await call(
      sqlApp,
      `/api/costs/models${qs({ ...range, filter: 'status ~ 1' })}`,
    );
    expect(badFilter.body.error).toMatchObject({ code: 'INVALID_FILTER', column: 8 });
  });

  it('says when a bound of the scan cut the range short', async () => {
    const small = costQueries(seeded.store, { maxTraces: 2, maxDetailTraces: 1, pageSize: 1 });
    const scope = {
      experimentIds: [costs.experimentId],
      from: costMinute,
      to: costMinute + 60_000,
    };
    const series = await small.costTimeseries(scope, 60_000);
    expect(series.coverage).toEqual({ traces: 2, complete: false });
    // The newest two: the unpriced and the mixed trace.
    expect(series.totals).toEqual({
      traces: 2,
      pricedTraces: 1,
      cost: { input: 0.00015, output: 0.0003, total: 0.00045 },
    });
    const models = await small.modelCosts(scope);
    expect(models.coverage).toEqual({ traces: 1, complete: false });
    expect(models.models.map((m) => [m.model, m.calls])).toEqual([['in-house-model', 1]]);
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
