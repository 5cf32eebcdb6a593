import { createTracker, silentLogger } from '@graphtrace/core';
import { type SqliteAnalytics, sqliteAnalytics } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDashboardApp,
  type DashboardApp,
  type TraceDetailResponse,
  type TracesResponse,
} from '../src/index.js';
import { call, qs } from './helpers/api.js';
import { seedSqlite } from './helpers/seed.js';
import { MINI_CALL_COST, type SeededCosts, seedCosts } from './helpers/seed-costs.js';

let seeded: Awaited<ReturnType<typeof seedSqlite>>;
let costs: SeededCosts;
let analytics: SqliteAnalytics;
let app: DashboardApp;

beforeAll(async () => {
  seeded = await seedSqlite({ traces: 40 });
  // A day before the agent's traces, in an experiment of their own.
  costs = await seedCosts(
    seeded.store,
    Math.floor((seeded.firstTime - 86_400_000) / 60_000) * 60_000,
  );
  analytics = sqliteAnalytics(seeded.store);
  app = createDashboardApp(seeded.store, { queries: analytics, cacheTtlMs: 0 });
}, 60_000);

afterAll(async () => {
  await analytics?.close();
  await seeded?.remove();
});

describe('GET /api/health and /api/experiments', () => {
  it('names the store and says the aggregates are computed by SQL', async () => {
    const r = await call(app, '/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      ok: true,
      store: { uri: seeded.store.uri, capabilities: { assessments: true } },
      analytics: { kind: 'sql' },
    });
    expect(r.body.analytics.description).toContain('GROUP BY');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lists experiments with their trace counts and picks the one with recent traces', async () => {
    const r = await call(app, '/api/experiments');
    expect(r.status).toBe(200);
    const agent = r.body.experiments.find((e: any) => e.name === 'support-agent');
    expect(agent).toMatchObject({
      experimentId: seeded.experimentId,
      traces: 40,
      tracesExact: true,
      firstTraceTime: seeded.firstTime,
      lastTraceTime: seeded.lastTime,
    });
    expect(r.body.experiments.find((e: any) => e.name === 'Default')).toMatchObject({
      traces: 0,
    });
    expect(r.body.defaultExperimentId).toBe(seeded.experimentId);
  });
});

describe('GET /api/traces', () => {
  it('pages through the traces, newest first, with what the table shows', async () => {
    const first = await call<TracesResponse>(
      app,
      `/api/traces${qs({ experiment: seeded.experimentId, pageSize: 15 })}`,
    );
    expect(first.status).toBe(200);
    expect(first.body.traces).toHaveLength(15);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const times = first.body.traces.map((t) => t.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const row = first.body.traces[0]!;
    expect(row).toMatchObject({
      name: 'support_agent',
      experimentId: seeded.experimentId,
      session: expect.stringMatching(/^session-\d$/),
      user: expect.stringMatching(/^(alice|bob)$/),
      tags: { env: expect.stringMatching(/^(dev|prod)$/) },
      llmCalls: 2,
      toolCalls: 1,
    });
    expect(row.tokens!.input).toBeGreaterThan(280);
    expect(row.tokens!.total).toBe(row.tokens!.input + row.tokens!.output);
    expect(Object.keys(row.tags).some((k) => k.startsWith('mlflow.'))).toBe(false);

    const seen = new Set(first.body.traces.map((t) => t.traceId));
    let token = first.body.nextPageToken;
    while (token) {
      const next = await call<TracesResponse>(
        app,
        `/api/traces${qs({ experiment: seeded.experimentId, pageSize: 15, pageToken: token })}`,
      );
      expect(next.status).toBe(200);
      for (const t of next.body.traces) {
        expect(seen.has(t.traceId)).toBe(false);
        seen.add(t.traceId);
      }
      token = next.body.nextPageToken;
    }
    expect(seen.size).toBe(40);
  });

  it('filters with MLflow syntax and sorts by latency', async () => {
    const errors = await call<TracesResponse>(
      app,
      `/api/traces${qs({ filter: "attributes.status = 'ERROR'" })}`,
    );
    expect(errors.status).toBe(200);
    expect(errors.body.traces.length).toBe(8); // the calculator question, every fifth trace
    expect(errors.body.traces.every((t) => t.state === 'ERROR')).toBe(true);

    const dev = await call<TracesResponse>(
      app,
      `/api/traces${qs({ filter: "tags.env = 'dev' AND metadata.`mlflow.trace.user` = 'alice'" })}`,
    );
    expect(dev.body.traces.length).toBe(10);
    expect(dev.body.traces.every((t) => t.tags.env === 'dev' && t.user === 'alice')).toBe(true);

    const slow = await call<TracesResponse>(
      app,
      `/api/traces${qs({ orderBy: 'execution_time_ms DESC', pageSize: 40 })}`,
    );
    const durations = slow.body.traces.map((t) => t.durationMs!);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    expect(durations[0]).toBeGreaterThan(durations[39]!);
  });

  it('answers a bad filter with 400 and the column at fault', async () => {
    const r = await call(
      app,
      `/api/traces${qs({ filter: "attributes.status = 'OK' AND tgs.env = 'x'" })}`,
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'INVALID_FILTER', column: 30, param: 'filter' });
    expect(r.body.error.message).toMatch(/unknown prefix `tgs\.`; did you mean `tags\.`\?/);

    const unquoted = await call(app, `/api/traces${qs({ filter: 'tags.env = prod' })}`);
    expect(unquoted.status).toBe(400);
    expect(unquoted.body.error.column).toBe(12);
    expect(unquoted.body.error.message).toMatch(/quote it/);
  });

  it('answers a bad sort, page size, page token or parameter with 400 and a message', async () => {
    const order = await call(app, `/api/traces${qs({ orderBy: 'latency DESC' })}`);
    expect(order.status).toBe(400);
    expect(order.body.error).toMatchObject({
      code: 'INVALID_ORDER_BY',
      column: 1,
      param: 'orderBy',
    });

    const size = await call(app, `/api/traces${qs({ pageSize: 'ten' })}`);
    expect(size.status).toBe(400);
    expect(size.body.error).toEqual({
      code: 'INVALID_QUERY',
      message: 'query parameter `pageSize` must be an integer',
      param: 'pageSize',
    });
    const big = await call(app, `/api/traces${qs({ pageSize: 5000 })}`);
    expect(big.body.error.message).toBe('query parameter `pageSize` must be from 1 to 500');

    const token = await call(app, `/api/traces${qs({ pageToken: 'not-a-token' })}`);
    expect(token.status).toBe(400);
    expect(token.body.error.code).toBe('INVALID_PAGE_TOKEN');

    const typo = await call(app, `/api/traces${qs({ filtr: "status = 'OK'" })}`);
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({
      message: 'unknown query parameter `filtr`',
      param: 'filtr',
    });

    const twice = await call(app, '/api/traces?pageSize=1&pageSize=2');
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toMatch(/`pageSize` is given 2 times/);

    const experiment = await call(app, `/api/traces${qs({ experiment: '1; DROP TABLE' })}`);
    expect(experiment.status).toBe(400);
    expect(experiment.body.error.param).toBe('experiment.0');
  });
});

describe('GET /api/traces/count and /api/traces/new', () => {
  it('counts every trace, or the filtered ones, exactly', async () => {
    const all = await call(app, `/api/traces/count${qs({ experiment: seeded.experimentId })}`);
    expect(all.body).toEqual({ count: 40, exact: true });
    const errors = await call(app, `/api/traces/count${qs({ filter: "status = 'ERROR'" })}`);
    expect(errors.body).toEqual({ count: 8, exact: true });
    const bad = await call(app, `/api/traces/count${qs({ filter: 'status ~ 1' })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.column).toBe(8);
  });

  it('tells the live view how many traces arrived since a time', async () => {
    const none = await call(app, `/api/traces/new${qs({ since: seeded.lastTime })}`);
    expect(none.body).toEqual({ count: 0, capped: false, newest: null });
    const some = await call(app, `/api/traces/new${qs({ since: seeded.lastTime - 1 })}`);
    expect(some.body).toEqual({ count: 1, capped: false, newest: seeded.lastTime });
    const missing = await call(app, '/api/traces/new');
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      param: 'since',
      message: 'query parameter `since` is required',
    });
  });
});

describe('GET /api/traces/:traceId', () => {
  it('returns the spans with inputs, outputs, tokens and relative times', async () => {
    const r = await call<TraceDetailResponse>(app, `/api/traces/${seeded.weatherTraceId}`);
    expect(r.status).toBe(200);
    const { trace, spans } = r.body;
    expect(trace).toMatchObject({
      traceId: seeded.weatherTraceId,
      name: 'support_agent',
      state: 'OK',
    });
    expect(trace.metadata['mlflow.trace.session']).toBe(trace.session);
    expect(trace.allTags['mlflow.traceName']).toBe('support_agent');
    expect(spans.map((s) => [s.name, s.spanType])).toEqual([
      ['support_agent', 'AGENT'],
      ['ChatOpenAI', 'CHAT_MODEL'],
      ['get_weather', 'TOOL'],
      ['ChatOpenAI', 'CHAT_MODEL'],
    ]);
    const [root, ask, tool, reply] = spans;
    expect(root!.parentSpanId).toBeNull();
    expect([ask, tool, reply].every((s) => s!.parentSpanId === root!.spanId)).toBe(true);
    expect(root!.offsetMs).toBe(0);
    expect(tool!.offsetMs).toBeGreaterThan(ask!.offsetMs);
    expect(ask!.durationMs).toBeGreaterThan(0);
    expect(ask!.tokens).toEqual({
      input: expect.any(Number),
      output: 20,
      total: expect.any(Number),
    });
    expect(ask!.model).toBe('gpt-4o-mini');
    expect((ask!.outputs as any).choices[0].message.tool_calls[0].function).toEqual({
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    });
    expect((reply!.inputs as any).messages.map((m: any) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
    ]);
    expect(tool!.inputs).toEqual({ city: 'Paris' });
    expect(ask!.attributes).not.toHaveProperty('mlflow.spanInputs');
    expect(BigInt(ask!.endNs!) - BigInt(ask!.startNs)).toBe(
      BigInt(Math.round(ask!.durationMs! * 1e6)),
    );
    expect(r.body.assessments.map((a) => a.name)).toContain('expected_answer');
    expect(r.body.canAssess).toBe(true);
  });

  it('shows a failed tool call with its exception', async () => {
    const r = await call<TraceDetailResponse>(app, `/api/traces/${seeded.errorTraceId}`);
    expect(r.body.trace.state).toBe('ERROR');
    const tool = r.body.spans.find((s) => s.spanType === 'TOOL')!;
    expect(tool.status).toEqual({ code: 'ERROR', message: 'RangeError: division by zero' });
    expect(tool.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'RangeError', 'exception.message': 'division by zero' },
    });
  });

  it("lists a span's links to spans of other traces", async () => {
    const tracker = createTracker({
      store: seeded.store,
      experimentName: 'links',
      logger: silentLogger,
      handleExitSignals: false,
    });
    const weather = await call<TraceDetailResponse>(app, `/api/traces/${seeded.weatherTraceId}`);
    const target = weather.body.spans[0]!;
    const traceId = tracker.withSpan({ name: 'follow-up' }, (s) => {
      s.addLink({
        traceId: seeded.weatherTraceId,
        spanId: target.spanId,
        attributes: { why: 'retry' },
      });
      return s.traceId;
    });
    await tracker.flushTraces();
    const r = await call<TraceDetailResponse>(app, `/api/traces/${traceId}`);
    expect(r.body.spans[0]!.links).toEqual([
      { traceId: seeded.weatherTraceId, spanId: target.spanId, attributes: { why: 'retry' } },
    ]);
    expect(target.links).toEqual([]);
  });

  it('is a 404 for an unknown trace, with a JSON body', async () => {
    const r = await call(app, `/api/traces/tr-${'0'.repeat(32)}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
    const nowhere = await call(app, '/api/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.message).toBe('no API endpoint GET /api/nowhere');
  });
});

describe('POST /api/traces/:traceId/assessments', () => {
  it('stores thumbs-up feedback as an MLflow assessment, read back from the store', async () => {
    const traceId = seeded.traceIds[3]!;
    const r = await call(app, `/api/traces/${traceId}/assessments`, {
      json: { name: 'user_feedback', value: true, rationale: 'Spot on' },
    });
    expect(r.status).toBe(201);
    expect(r.body.assessment).toMatchObject({
      traceId,
      kind: 'feedback',
      name: 'user_feedback',
      value: true,
      rationale: 'Spot on',
      source: { sourceType: 'HUMAN' },
      metadata: { 'graphtrace.source': 'dashboard' },
    });
    const stored = await seeded.store.getAssessments(traceId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      assessmentId: r.body.assessment.assessmentId,
      kind: 'feedback',
      value: true,
      rationale: 'Spot on',
    });
  });

  it('stores a score about one span', async () => {
    const detail = await call<TraceDetailResponse>(app, `/api/traces/${seeded.traceIds[4]}`);
    const span = detail.body.spans[1]!;
    const r = await call(app, `/api/traces/${seeded.traceIds[4]}/assessments`, {
      json: { name: 'relevance', value: 0.75, spanId: span.spanId },
    });
    expect(r.status).toBe(201);
    const stored = await seeded.store.getAssessments(seeded.traceIds[4]!);
    expect(stored.find((a) => a.name === 'relevance')).toMatchObject({
      spanId: span.spanId,
      value: 0.75,
    });
  });

  it('refuses bad bodies, other content types, unknown spans and traces', async () => {
    const traceId = seeded.traceIds[5]!;
    const bad = await call(app, `/api/traces/${traceId}/assessments`, {
      json: { value: { a: 1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_BODY', param: 'value' });
    expect(bad.body.error.message).toMatch(/^field `value` must be true\/false/);

    const extra = await call(app, `/api/traces/${traceId}/assessments`, {
      json: { value: true, score: 3 },
    });
    expect(extra.body.error.message).toBe('unknown field `score`');

    const form = await call(app, `/api/traces/${traceId}/assessments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'value=true',
    });
    expect(form.status).toBe(415);

    const notJson = await call(app, `/api/traces/${traceId}/assessments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{value: true',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toBe('the body is not valid JSON');

    const span = await call(app, `/api/traces/${traceId}/assessments`, {
      json: { value: true, spanId: 'ffffffffffffffff' },
    });
    expect(span.status).toBe(404);
    const trace = await call(app, `/api/traces/tr-${'1'.repeat(32)}/assessments`, {
      json: { value: false },
    });
    expect(trace.status).toBe(404);
    expect(await seeded.store.getAssessments(traceId)).toEqual([]);
  });
});

describe('LLM cost (mlflow.trace.cost, mlflow.llm.cost)', () => {
  const usd = {
    input: MINI_CALL_COST.input_cost,
    output: MINI_CALL_COST.output_cost,
    total: MINI_CALL_COST.total_cost,
  };

  it('gives each trace in the list its cost, and none (not $0) to a trace without a price', async () => {
    const r = await call<TracesResponse>(
      app,
      `/api/traces${qs({ experiment: costs.experimentId })}`,
    );
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.traces.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['mixed_agent', 'priced_agent', 'unpriced_agent']);
    // Exactly what core recorded: gpt-4o-mini, 1,000 in / 500 out, from MLflow's catalog.
    expect(byName.priced_agent!.cost).toEqual({ input: 0.00015, output: 0.0003, total: 0.00045 });
    // The in-house model adds nothing: the trace costs its priced call only.
    expect(byName.mixed_agent!.cost).toEqual(usd);
    expect(byName.mixed_agent!.tokens).toEqual({ input: 2000, output: 1000, total: 3000 });
    expect(byName.unpriced_agent!.cost).toBeNull();
    expect(byName.unpriced_agent!.tokens).toEqual({ input: 1000, output: 500, total: 1500 });

    // The agent's own traces are priced too (gpt-4o-mini), whatever their size.
    const agent = await call<TracesResponse>(
      app,
      `/api/traces${qs({ experiment: seeded.experimentId, pageSize: 40 })}`,
    );
    expect(agent.body.traces.every((t) => t.cost !== null && t.cost.total > 0)).toBe(true);
  });

  it("shows the trace's cost, and each model call's cost, model and provider", async () => {
    const r = await call<TraceDetailResponse>(app, `/api/traces/${costs.mixedTraceId}`);
    expect(r.status).toBe(200);
    expect(r.body.trace.cost).toEqual(usd);
    expect(JSON.parse(r.body.trace.metadata['mlflow.trace.cost']!)).toEqual(MINI_CALL_COST);
    const [root, mini, inHouse] = r.body.spans;
    expect(root).toMatchObject({ name: 'mixed_agent', model: null, provider: null, cost: null });
    expect(mini).toMatchObject({
      model: 'gpt-4o-mini',
      provider: 'openai',
      tokens: { input: 1000, output: 500, total: 1500 },
      cost: usd,
    });
    expect(mini!.attributes['mlflow.llm.cost']).toEqual(MINI_CALL_COST);
    expect(inHouse).toMatchObject({
      model: 'in-house-model',
      provider: 'acme',
      tokens: { input: 1000, output: 500, total: 1500 },
      cost: null,
    });
    expect(inHouse!.attributes).not.toHaveProperty('mlflow.llm.cost');

    const unpriced = await call<TraceDetailResponse>(app, `/api/traces/${costs.unpricedTraceId}`);
    expect(unpriced.body.trace.cost).toBeNull();
    expect(unpriced.body.trace.metadata).not.toHaveProperty('mlflow.trace.cost');
  });

  it('reads cached token counts and a cost given as JSON text', async () => {
    const tracker = createTracker({
      store: seeded.store,
      experimentName: 'cache-tokens',
      logger: silentLogger,
      handleExitSignals: false,
    });
    const traceId = tracker.withSpan({ name: 'cached', spanType: 'CHAT_MODEL' }, (s) => {
      s.setAttributes({
        'mlflow.llm.model': 'in-house-model',
        'mlflow.chat.tokenUsage': {
          input_tokens: 1000,
          output_tokens: 10,
          total_tokens: 1010,
          cache_read_input_tokens: 800,
          cache_creation_input_tokens: 100,
        },
        // As another SDK may write it: the JSON text.
        'mlflow.llm.cost': JSON.stringify({ input_cost: 0.5, output_cost: 0.25, total_cost: 0.75 }),
      });
      return s.traceId;
    });
    await tracker.flushTraces();
    const r = await call<TraceDetailResponse>(app, `/api/traces/${traceId}`);
    expect(r.body.spans[0]!.tokens).toEqual({
      input: 1000,
      output: 10,
      total: 1010,
      cacheRead: 800,
      cacheCreation: 100,
    });
    expect(r.body.spans[0]!.cost).toEqual({ input: 0.5, output: 0.25, total: 0.75 });
    expect(r.body.trace.tokens).toMatchObject({ cacheRead: 800, cacheCreation: 100 });
  });
});

describe('host and origin checks', () => {
  it('refuses requests addressed to another host name (DNS rebinding) or from another site', async () => {
    const rebound = await app.request('http://attacker.example:5005/api/health');
    expect(rebound.status).toBe(403);
    expect((await rebound.json()).error.code).toBe('FORBIDDEN_HOST');
    const crossSite = await call(app, `/api/traces/${seeded.traceIds[6]}/assessments`, {
      json: { value: true },
      headers: { origin: 'https://attacker.example' },
    });
    expect(crossSite.status).toBe(403);
    const sameSite = await call(app, '/api/health', {
      headers: { origin: 'http://localhost:5005' },
    });
    expect(sameSite.status).toBe(200);
  });
});
