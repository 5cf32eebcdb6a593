import { join } from 'node:path';
import { GraphtraceError, sequentialIds } from '@graphtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqliteStore, sqliteStore } from '../src/index.js';
import { MLFLOW_MAX_FLOAT } from '../src/store/metric-encoding.js';
import { rows, tempDir } from './helpers.js';

const dir = tempDir('sqlite-runs');
const path = join(dir, 'mlflow.db');
let store: SqliteStore;
let exp: string;

beforeAll(async () => {
  store = sqliteStore({ path, now: () => 1_700_000_000_000, ids: sequentialIds() });
  exp = (await store.getOrCreateExperiment('runs-rows', { tags: { team: 'x' } })).experimentId;
});
afterAll(() => store.close());

const newRun = async (name?: string) =>
  (
    await store.createRun({
      experimentId: exp,
      startTime: 1_700_000_000_000,
      ...(name ? { runName: name } : {}),
    })
  ).info.runId;

describe('experiments and runs in MLflow’s columns', () => {
  it('records a new experiment as MLflow’s SqlAlchemyStore does', () => {
    expect(rows(path, 'SELECT * FROM experiments WHERE experiment_id = ?', Number(exp))).toEqual([
      {
        experiment_id: 1,
        name: 'runs-rows',
        artifact_location: `${dir}/mlruns/1`,
        lifecycle_stage: 'active',
        creation_time: 1_700_000_000_000,
        last_update_time: 1_700_000_000_000,
      },
    ]);
    expect(rows(path, 'SELECT key, value FROM experiment_tags WHERE experiment_id = 1')).toEqual([
      { key: 'team', value: 'x' },
    ]);
  });

  it('writes a run row with MLflow’s defaults and the mlflow.runName tag', async () => {
    const runId = await newRun('alpha');
    expect(rows(path, 'SELECT * FROM runs WHERE run_uuid = ?', runId)).toEqual([
      {
        run_uuid: runId,
        name: 'alpha',
        source_type: 'UNKNOWN',
        source_name: '',
        entry_point_name: '',
        user_id: 'unknown',
        status: 'RUNNING',
        start_time: 1_700_000_000_000,
        end_time: null,
        source_version: '',
        lifecycle_stage: 'active',
        artifact_uri: `${dir}/mlruns/1/${runId}/artifacts`,
        experiment_id: 1,
        deleted_time: null,
      },
    ]);
    expect(rows(path, 'SELECT key, value FROM tags WHERE run_uuid = ?', runId)).toEqual([
      { key: 'mlflow.runName', value: 'alpha' },
    ]);
  });

  it('keeps the name column and the mlflow.runName tag equal on rename', async () => {
    const runId = await newRun('before');
    await store.logBatch(runId, { tags: [{ key: 'mlflow.runName', value: 'after' }] });
    expect(rows(path, 'SELECT name FROM runs WHERE run_uuid = ?', runId)).toEqual([
      { name: 'after' },
    ]);
    await store.updateRun(runId, { runName: 'third' });
    expect(
      rows(path, "SELECT value FROM tags WHERE run_uuid = ? AND key = 'mlflow.runName'", runId),
    ).toEqual([{ value: 'third' }]);
  });
});

describe('metrics', () => {
  it('stores NaN as 0 with is_nan = 1 and ±Infinity as ±max double, and reads them back', async () => {
    const runId = await newRun();
    await store.logBatch(runId, {
      metrics: [
        { key: 'nan', value: Number.NaN, timestamp: 10, step: 0 },
        { key: 'inf', value: Number.POSITIVE_INFINITY, timestamp: 10, step: 0 },
        { key: 'ninf', value: Number.NEGATIVE_INFINITY, timestamp: 10, step: 0 },
      ],
    });
    expect(
      rows(path, 'SELECT key, value, is_nan FROM metrics WHERE run_uuid = ? ORDER BY key', runId),
    ).toEqual([
      { key: 'inf', value: MLFLOW_MAX_FLOAT, is_nan: 0 },
      { key: 'nan', value: 0, is_nan: 1 },
      { key: 'ninf', value: -MLFLOW_MAX_FLOAT, is_nan: 0 },
    ]);
    expect(
      rows(
        path,
        'SELECT key, value, is_nan FROM latest_metrics WHERE run_uuid = ? ORDER BY key',
        runId,
      ),
    ).toEqual([
      { key: 'inf', value: MLFLOW_MAX_FLOAT, is_nan: 0 },
      { key: 'nan', value: 0, is_nan: 1 },
      { key: 'ninf', value: -MLFLOW_MAX_FLOAT, is_nan: 0 },
    ]);
    const run = await store.getRun(runId);
    const byKey = Object.fromEntries(run!.data.metrics.map((m) => [m.key, m.value]));
    expect(byKey.nan).toBeNaN();
    expect(byKey.inf).toBe(Number.POSITIVE_INFINITY);
    expect(byKey.ninf).toBe(Number.NEGATIVE_INFINITY);
  });

  it('replaces latest_metrics only for a greater (step, timestamp, value), NaN comparing as 0', async () => {
    const runId = await newRun();
    const latest = () =>
      rows(
        path,
        "SELECT value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ? AND key = 'm'",
        runId,
      );
    await store.logBatch(runId, { metrics: [{ key: 'm', value: 5, timestamp: 100, step: 2 }] });
    // Lower step, later time: not newer.
    await store.logBatch(runId, { metrics: [{ key: 'm', value: 9, timestamp: 500, step: 1 }] });
    expect(latest()).toEqual([{ value: 5, timestamp: 100, step: 2, is_nan: 0 }]);
    // Same step and time, smaller value: not newer; larger value: newer.
    await store.logBatch(runId, { metrics: [{ key: 'm', value: 4, timestamp: 100, step: 2 }] });
    expect(latest()).toEqual([{ value: 5, timestamp: 100, step: 2, is_nan: 0 }]);
    await store.logBatch(runId, { metrics: [{ key: 'm', value: 6, timestamp: 100, step: 2 }] });
    expect(latest()).toEqual([{ value: 6, timestamp: 100, step: 2, is_nan: 0 }]);
    // NaN is stored as 0, so at the same step and time it loses to 6 …
    await store.logBatch(runId, {
      metrics: [{ key: 'm', value: Number.NaN, timestamp: 100, step: 2 }],
    });
    expect(latest()).toEqual([{ value: 6, timestamp: 100, step: 2, is_nan: 0 }]);
    // … and wins at a later time.
    await store.logBatch(runId, {
      metrics: [{ key: 'm', value: Number.NaN, timestamp: 101, step: 2 }],
    });
    expect(latest()).toEqual([{ value: 0, timestamp: 101, step: 2, is_nan: 1 }]);
    // Within one batch the greatest observation wins whatever the order.
    await store.logBatch(runId, {
      metrics: [
        { key: 'm', value: 1, timestamp: 900, step: 7 },
        { key: 'm', value: 2, timestamp: 800, step: 8 },
        { key: 'm', value: 3, timestamp: 950, step: 7 },
      ],
    });
    expect(latest()).toEqual([{ value: 2, timestamp: 800, step: 8, is_nan: 0 }]);
    // History comes back in MLflow's order: timestamp, step, value.
    expect((await store.getMetricHistory(runId, 'm')).map((m) => m.step)).toEqual([
      2, 2, 2, 2, 2, 1, 8, 7, 7,
    ]);
  });

  it('ignores an identical observation logged twice (the PK includes value and is_nan)', async () => {
    const runId = await newRun();
    const m = { key: 'dup', value: 1.5, timestamp: 7, step: 3 };
    await store.logBatch(runId, { metrics: [m, m] });
    await store.logBatch(runId, { metrics: [m, { ...m, value: Number.NaN }] });
    expect(
      rows(
        path,
        "SELECT value, is_nan FROM metrics WHERE run_uuid = ? AND key = 'dup' ORDER BY is_nan",
        runId,
      ),
    ).toEqual([
      { value: 1.5, is_nan: 0 },
      { value: 0, is_nan: 1 },
    ]);
  });

  it('rejects metrics MLflow would reject, naming them', async () => {
    const runId = await newRun();
    const err = await store
      .logBatch(runId, { metrics: [{ key: 'x', value: 1, timestamp: 1.5, step: 0 }] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((err as Error).message).toContain('"x"');
  });
});

describe('params', () => {
  it('refuses a changed param and writes nothing of that batch', async () => {
    const runId = await newRun();
    await store.logBatch(runId, { params: [{ key: 'lr', value: '0.1' }] });
    const err = await store
      .logBatch(runId, {
        params: [
          { key: 'new', value: 'x' },
          { key: 'lr', value: '0.2' },
        ],
        metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 0 }],
        tags: [{ key: 'env', value: 'prod' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphtraceError);
    expect((err as GraphtraceError).code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).toMatch(/"lr".*"0\.1".*"0\.2"/);
    expect(rows(path, 'SELECT key, value FROM params WHERE run_uuid = ?', runId)).toEqual([
      { key: 'lr', value: '0.1' },
    ]);
    expect(rows(path, 'SELECT * FROM metrics WHERE run_uuid = ?', runId)).toEqual([]);
    expect(rows(path, "SELECT * FROM tags WHERE run_uuid = ? AND key = 'env'", runId)).toEqual([]);
  });

  it('returns NOT_FOUND for a batch to an unknown run', async () => {
    const err = await store
      .logBatch('f'.repeat(32), { params: [{ key: 'a', value: 'b' }] })
      .catch((e: unknown) => e);
    expect((err as GraphtraceError).code).toBe('NOT_FOUND');
  });
});

describe('searchRuns', () => {
  it('sorts NaN metrics after numbers and missing ones last, and pages the default order by keyset', async () => {
    const e = (await store.getOrCreateExperiment('runs-order')).experimentId;
    const make = async (name: string, start: number, score?: number) => {
      const id = (await store.createRun({ experimentId: e, runName: name, startTime: start })).info
        .runId;
      if (score !== undefined)
        await store.logBatch(id, { metrics: [{ key: 's', value: score, timestamp: 1, step: 0 }] });
      return id;
    };
    await make('a', 1000, 3);
    await make('b', 2000, Number.NaN);
    await make('c', 3000);
    await make('d', 4000, 1);
    const names = async (orderBy: string[]) =>
      (await store.searchRuns({ experimentIds: [e], orderBy })).items.map((r) => r.info.runName);
    expect(await names(['metrics.s ASC'])).toEqual(['d', 'a', 'b', 'c']);
    expect(await names(['metrics.s DESC'])).toEqual(['a', 'd', 'b', 'c']);
    expect(
      (await store.searchRuns({ experimentIds: [e], filter: 'metrics.s <= 3' })).items.map(
        (r) => r.info.runName,
      ),
    ).toEqual(['d', 'a']);

    const first = await store.searchRuns({ experimentIds: [e], maxResults: 2 });
    expect(first.items.map((r) => r.info.runName)).toEqual(['d', 'c']);
    // A run started later does not shift the next page.
    await make('late', 9000);
    const second = await store.searchRuns({
      experimentIds: [e],
      maxResults: 2,
      pageToken: first.nextPageToken,
    });
    expect(second.items.map((r) => r.info.runName)).toEqual(['b', 'a']);
    expect(second.nextPageToken).toBeNull();
  });
});
