import { type SqliteAnalytics, sqliteAnalytics } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDashboardApp,
  type DashboardApp,
  type MetricHistoryResponse,
  type RunResponse,
  type RunsResponse,
} from '../src/index.js';
import { call, qs } from './helpers/api.js';
import { seedSqlite } from './helpers/seed.js';

let seeded: Awaited<ReturnType<typeof seedSqlite>>;
let analytics: SqliteAnalytics;
let app: DashboardApp;

beforeAll(async () => {
  seeded = await seedSqlite({ traces: 10 });
  // A run whose metric went NaN, which JSON cannot carry as a number.
  const broken = await seeded.store.createRun({
    experimentId: seeded.experimentId,
    runName: 'diverged',
  });
  await seeded.store.logBatch(broken.info.runId, {
    params: [{ key: 'lr', value: '10' }],
    metrics: [
      { key: 'loss', value: 2.5, timestamp: 1, step: 0 },
      { key: 'loss', value: Number.NaN, timestamp: 2, step: 1 },
    ],
  });
  analytics = sqliteAnalytics(seeded.store);
  app = createDashboardApp(seeded.store, { queries: analytics, cacheTtlMs: 0 });
}, 60_000);

afterAll(async () => {
  await analytics?.close();
  await seeded?.remove();
});

describe('GET /api/runs', () => {
  it('lists runs with params, latest metrics and tags', async () => {
    const r = await call<RunsResponse>(app, `/api/runs${qs({ experiment: seeded.experimentId })}`);
    expect(r.status).toBe(200);
    expect(r.body.runs.map((x) => x.runName).sort()).toEqual(['diverged', 'nightly-eval']);
    const nightly = r.body.runs.find((x) => x.runName === 'nightly-eval')!;
    expect(nightly).toMatchObject({
      runId: seeded.runId,
      status: 'FINISHED',
      params: { model: 'gpt-4o-mini', temperature: '0.2' },
      tags: { 'mlflow.runName': 'nightly-eval' },
    });
    expect(nightly.metrics.find((m) => m.key === 'accuracy')).toMatchObject({
      step: 9,
      text: '0.86',
    });
    expect(nightly.metrics.find((m) => m.key === 'agent.traces')?.value).toBe(5);
  });

  it('filters and sorts with MLflow syntax, and answers mistakes with 400 and the column', async () => {
    const filtered = await call<RunsResponse>(
      app,
      `/api/runs${qs({ filter: "params.model = 'gpt-4o-mini'", orderBy: 'metrics.accuracy DESC' })}`,
    );
    expect(filtered.body.runs.map((x) => x.runName)).toEqual(['nightly-eval']);
    const bad = await call(app, `/api/runs${qs({ filter: 'metrics.accuracy > high' })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_FILTER', column: 20, param: 'filter' });
    const order = await call(app, `/api/runs${qs({ orderBy: 'metrics.accuracy SIDEWAYS' })}`);
    expect(order.status).toBe(400);
    expect(order.body.error).toMatchObject({ code: 'INVALID_ORDER_BY', param: 'orderBy' });
    const size = await call(app, `/api/runs${qs({ pageSize: 0 })}`);
    expect(size.body.error.message).toBe('query parameter `pageSize` must be from 1 to 1,000');
  });
});

describe('GET /api/runs/:runId and its metric history', () => {
  it('returns one run', async () => {
    const r = await call<RunResponse>(app, `/api/runs/${seeded.runId}`);
    expect(r.status).toBe(200);
    expect(r.body.run).toMatchObject({ runId: seeded.runId, experimentId: seeded.experimentId });
    const missing = await call(app, `/api/runs/${'f'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it('returns every observation of a metric, in order', async () => {
    const r = await call<MetricHistoryResponse>(
      app,
      `/api/runs/${seeded.runId}/metric-history${qs({ key: 'accuracy' })}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.history.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.body.history[0]).toMatchObject({ key: 'accuracy', value: 0.5, text: '0.5' });
    expect(r.body.history[9]!.value).toBeCloseTo(0.86);
  });

  it('carries NaN as null with its text', async () => {
    const runs = await call<RunsResponse>(
      app,
      `/api/runs${qs({ filter: "attributes.run_name = 'diverged'" })}`,
    );
    const runId = runs.body.runs[0]!.runId;
    const r = await call<MetricHistoryResponse>(
      app,
      `/api/runs/${runId}/metric-history${qs({ key: 'loss' })}`,
    );
    expect(r.body.history.map((p) => [p.value, p.text])).toEqual([
      [2.5, '2.5'],
      [null, 'NaN'],
    ]);
  });

  it('needs a key, and a run that exists', async () => {
    const missingKey = await call(app, `/api/runs/${seeded.runId}/metric-history`);
    expect(missingKey.status).toBe(400);
    expect(missingKey.body.error).toMatchObject({
      param: 'key',
      message: 'query parameter `key` is required',
    });
    const missingRun = await call(
      app,
      `/api/runs/${'e'.repeat(32)}/metric-history${qs({ key: 'x' })}`,
    );
    expect(missingRun.status).toBe(404);
  });
});
