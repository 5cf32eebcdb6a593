import { describe, expect, it } from 'vitest';
import { GraphtraceError } from '../errors.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { uniqueName } from './fixtures.js';
import { type ConformanceTarget, useStore } from './target.js';

async function newRun(
  store: TrackingStore,
  experimentId: string,
  runName?: string,
  startTime = 1_700_000_000_000,
) {
  return store.createRun({
    experimentId,
    startTime,
    userId: 'tester',
    ...(runName ? { runName } : {}),
    tags: [],
  });
}

export function runsSpec(target: ConformanceTarget): void {
  describe(`${target.name} store: runs`, () => {
    const store = useStore(target);
    const timeout = target.timeoutMs;
    const experiment = async () =>
      (await store().getOrCreateExperiment(uniqueName('conformance-runs'))).experimentId;

    it(
      'creates a RUNNING run with a 32-hex id and its name as the mlflow.runName tag',
      async () => {
        const exp = await experiment();
        const run = await newRun(store(), exp, 'first-run');
        expect(run.info.runId).toMatch(/^[0-9a-f]{32}$/);
        expect(run.info.status).toBe('RUNNING');
        expect(run.info.runName).toBe('first-run');
        expect(run.info.experimentId).toBe(exp);
        expect(run.info.startTime).toBe(1_700_000_000_000);
        expect(run.info.endTime).toBeNull();
        const got = await store().getRun(run.info.runId);
        expect(got?.info.runName).toBe('first-run');
        expect(got?.data.tags['mlflow.runName']).toBe('first-run');
      },
      timeout,
    );

    it(
      'names a run when no name is given',
      async () => {
        const run = await newRun(store(), await experiment());
        expect(run.info.runName.length).toBeGreaterThan(0);
      },
      timeout,
    );

    it(
      'logs params, metrics and tags in a batch and reads them back',
      async () => {
        const run = await newRun(store(), await experiment());
        const id = run.info.runId;
        await store().logBatch(id, {
          params: [
            { key: 'lr', value: '0.01' },
            { key: 'model', value: 'scripted' },
          ],
          metrics: [
            { key: 'loss', value: 0.5, timestamp: 1_700_000_000_001, step: 1 },
            { key: 'loss', value: 0.25, timestamp: 1_700_000_000_002, step: 2 },
            { key: 'acc', value: 0.9, timestamp: 1_700_000_000_001, step: 0 },
          ],
          tags: [{ key: 'env', value: 'test' }],
        });
        const got = await store().getRun(id);
        expect(got?.data.params).toEqual({ lr: '0.01', model: 'scripted' });
        expect(got?.data.tags.env).toBe('test');
        const loss = got?.data.metrics.find((m) => m.key === 'loss');
        expect(loss).toEqual({ key: 'loss', value: 0.25, timestamp: 1_700_000_000_002, step: 2 });
      },
      timeout,
    );

    it(
      'keeps the latest metric by (step, timestamp, value), whatever the logging order',
      async () => {
        const run = await newRun(store(), await experiment());
        const id = run.info.runId;
        await store().logBatch(id, { metrics: [{ key: 'm', value: 5, timestamp: 2000, step: 3 }] });
        await store().logBatch(id, { metrics: [{ key: 'm', value: 9, timestamp: 3000, step: 1 }] });
        const got = await store().getRun(id);
        expect(got?.data.metrics.find((m) => m.key === 'm')?.value).toBe(5);
        const history = await store().getMetricHistory(id, 'm');
        // Ordered as MLflow returns it: by timestamp, then step.
        expect(history.map((m) => [m.step, m.value])).toEqual([
          [3, 5],
          [1, 9],
        ]);
      },
      timeout,
    );

    it(
      'round-trips NaN and ±Infinity metric values',
      async () => {
        const run = await newRun(store(), await experiment());
        const id = run.info.runId;
        await store().logBatch(id, {
          metrics: [
            { key: 'nan', value: Number.NaN, timestamp: 1000, step: 0 },
            { key: 'inf', value: Number.POSITIVE_INFINITY, timestamp: 1000, step: 0 },
            { key: 'ninf', value: Number.NEGATIVE_INFINITY, timestamp: 1000, step: 0 },
          ],
        });
        const history = [
          ...(await store().getMetricHistory(id, 'nan')),
          ...(await store().getMetricHistory(id, 'inf')),
          ...(await store().getMetricHistory(id, 'ninf')),
        ];
        expect(Number.isNaN(history[0]?.value)).toBe(true);
        expect(history[1]?.value).toBe(Number.POSITIVE_INFINITY);
        expect(history[2]?.value).toBe(Number.NEGATIVE_INFINITY);
      },
      timeout,
    );

    it(
      'treats params as write-once: the same value again is fine, a new value is refused',
      async () => {
        const run = await newRun(store(), await experiment());
        const id = run.info.runId;
        await store().logBatch(id, { params: [{ key: 'p', value: 'a' }] });
        await store().logBatch(id, { params: [{ key: 'p', value: 'a' }] });
        const err = await store()
          .logBatch(id, { params: [{ key: 'p', value: 'b' }] })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(GraphtraceError);
        expect((err as GraphtraceError).code).toBe('INVALID_ARGUMENT');
        expect((await store().getRun(id))?.data.params.p).toBe('a');
      },
      timeout,
    );

    it(
      'updates status and end time',
      async () => {
        const run = await newRun(store(), await experiment());
        const info = await store().updateRun(run.info.runId, {
          status: 'FINISHED',
          endTime: 1_700_000_100_000,
        });
        expect(info.status).toBe('FINISHED');
        expect(info.endTime).toBe(1_700_000_100_000);
        expect((await store().getRun(run.info.runId))?.info.status).toBe('FINISHED');
      },
      timeout,
    );

    it(
      'returns null for an unknown run',
      async () => {
        expect(await store().getRun('0123456789abcdef0123456789abcdef')).toBeNull();
      },
      timeout,
    );

    it(
      'searches runs by params, metrics, tags and attributes, ordered and paged',
      async () => {
        const exp = await experiment();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const run = await newRun(store(), exp, `run-${i}`, 1_700_000_000_000 + i * 1000);
          ids.push(run.info.runId);
          await store().logBatch(run.info.runId, {
            params: [{ key: 'variant', value: i % 2 === 0 ? 'even' : 'odd' }],
            metrics: [{ key: 'score', value: i * 10, timestamp: 1000, step: 0 }],
            tags: [{ key: 'team', value: i < 3 ? 'red' : 'blue' }],
          });
          if (i === 4)
            await store().updateRun(run.info.runId, {
              status: 'FINISHED',
              endTime: 1_700_000_100_000,
            });
        }
        const q = (filter: string, orderBy?: string[]) =>
          store().searchRuns({ experimentIds: [exp], filter, ...(orderBy ? { orderBy } : {}) });

        expect(
          (await q("params.variant = 'even'")).items.map((r) => r.info.runName).sort(),
        ).toEqual(['run-0', 'run-2', 'run-4']);
        expect(
          (await q('metrics.score >= 20', ['metrics.score DESC'])).items.map((r) => r.info.runName),
        ).toEqual(['run-4', 'run-3', 'run-2']);
        expect(
          (await q("tags.team = 'blue' AND params.variant = 'odd'")).items.map(
            (r) => r.info.runName,
          ),
        ).toEqual(['run-3']);
        expect(
          (await q("attributes.status = 'FINISHED'")).items.map((r) => r.info.runName),
        ).toEqual(['run-4']);
        expect((await q("attributes.run_name LIKE 'run-%'")).items).toHaveLength(5);

        // Default order: newest first.
        const all = await store().searchRuns({ experimentIds: [exp] });
        expect(all.items.map((r) => r.info.runName)).toEqual([
          'run-4',
          'run-3',
          'run-2',
          'run-1',
          'run-0',
        ]);

        const seen: string[] = [];
        let pageToken: string | null = null;
        do {
          const page = await store().searchRuns({
            experimentIds: [exp],
            maxResults: 2,
            pageToken,
            orderBy: ['attributes.start_time ASC'],
          });
          seen.push(...page.items.map((r) => r.info.runName));
          pageToken = page.nextPageToken;
        } while (pageToken);
        expect(seen).toEqual(['run-0', 'run-1', 'run-2', 'run-3', 'run-4']);
      },
      timeout,
    );

    it(
      'rejects a malformed run filter with INVALID_FILTER',
      async () => {
        const exp = await experiment();
        const err = await store()
          .searchRuns({ experimentIds: [exp], filter: 'params.lr = ' })
          .catch((e: unknown) => e);
        expect((err as GraphtraceError).code).toBe('INVALID_FILTER');
      },
      timeout,
    );
  });
}
