import { join } from 'node:path';
import type { Span, TraceInfo } from '@graphtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OrderedTracesQuery,
  type SqliteAnalytics,
  type SqliteStore,
  sqliteAnalytics,
  sqliteStore,
  type TraceOrderPosition,
} from '../src/index.js';
import { tempDir } from './helpers.js';

/*
 * The trace list's order by total cost / total tokens (keyset pages over a value computed from
 * MLflow's metadata JSON, or 3.17's columns) and the failed-tool counts of a page, on the
 * layouts where those values live in different places.
 */
const dir = tempDir('trace-order');
const T0 = 1_764_000_000_000;
const idOf = (i: number) => `tr-${String(i + 1).padStart(32, '0')}`;

/** Cost (USD) and tokens of trace i; undefined: not recorded. Two share a cost (a tie). */
const COSTS = [0.002, undefined, 0.0005, 0.01, 0.002, undefined, 0.0001];
const TOKENS = [900, 120, undefined, 5000, 900, 40, 300];

function info(experimentId: string, i: number): TraceInfo {
  const metadata: Record<string, string> = {};
  const cost = COSTS[i];
  if (cost !== undefined)
    metadata['mlflow.trace.cost'] = JSON.stringify({
      input_cost: cost / 2,
      output_cost: cost / 2,
      total_cost: cost,
    });
  const tokens = TOKENS[i];
  // Trace 6 records input and output only: its total is their sum, as core reads it.
  if (tokens !== undefined)
    metadata['mlflow.trace.tokenUsage'] = JSON.stringify(
      i === 6
        ? { input_tokens: 200, output_tokens: 100 }
        : { input_tokens: tokens - 10, output_tokens: 10, total_tokens: tokens },
    );
  return {
    traceId: idOf(i),
    clientRequestId: null,
    experimentId,
    requestTime: T0 + i * 1000,
    executionDuration: 10,
    state: 'OK',
    requestPreview: i % 2 === 0 ? `Refund policy question ${i}` : `weather ${i}`,
    responsePreview: i === 3 ? 'See the REFUND page' : 'ok',
    tags: { env: i < 4 ? 'prod' : 'dev' },
    traceMetadata: metadata,
  };
}

function toolSpan(i: number, n: number, error: boolean): Span {
  const start = BigInt(T0 + i * 1000 + n) * 1_000_000n;
  return {
    traceId: idOf(i),
    spanId: (i * 10 + n + 1).toString(16).padStart(16, '0'),
    parentSpanId: null,
    name: `tool-${n}`,
    spanType: n === 2 ? 'CHAT_MODEL' : 'TOOL',
    startTimeUnixNano: start,
    endTimeUnixNano: start + 1_000_000n,
    status: error ? { code: 'ERROR', message: 'boom' } : { code: 'OK' },
    attributes: { 'mlflow.traceRequestId': idOf(i) },
    events: [],
  };
}

for (const schemaVersion of ['3.9', '3.17']) {
  describe(`orderedTraces, failedToolCalls and assessmentsOf (MLflow ${schemaVersion} schema)`, () => {
    let store: SqliteStore;
    let analytics: SqliteAnalytics;
    let experimentId: string;

    beforeAll(async () => {
      store = sqliteStore({
        path: join(dir, `order-${schemaVersion}.db`),
        schemaVersion,
        traceWriter: 'inline',
      });
      experimentId = (await store.getOrCreateExperiment('order')).experimentId;
      for (let i = 0; i < COSTS.length; i++) {
        // Trace 1: two failed tool calls and a failed model call; trace 4: one failed tool call.
        const spans =
          i === 1
            ? [toolSpan(i, 0, true), toolSpan(i, 1, true), toolSpan(i, 2, true)]
            : i === 4
              ? [toolSpan(i, 0, false), toolSpan(i, 1, true)]
              : [toolSpan(i, 0, false)];
        await store.logSpans(experimentId, spans);
        await store.startTrace(info(experimentId, i));
      }
      analytics = sqliteAnalytics(store, { thread: 'inline' });
    });

    afterAll(async () => {
      await analytics?.close();
      await store?.close();
    });

    const query = (q: Partial<OrderedTracesQuery>): OrderedTracesQuery => ({
      scope: { experimentIds: [experimentId] },
      key: 'total_cost',
      descending: true,
      after: null,
      limit: 100,
      ...q,
    });
    const ids = (rows: TraceOrderPosition[]) => rows.map((r) => Number(r.traceId.slice(3)) - 1);

    /** Every page of `size`, following the keyset, until the last. */
    async function allPages(q: Partial<OrderedTracesQuery>, size: number) {
      const out: TraceOrderPosition[] = [];
      let after: TraceOrderPosition | null = null;
      for (let n = 0; n < 20; n++) {
        const page = await analytics.orderedTraces(query({ ...q, after, limit: size }));
        out.push(...page.rows);
        if (!page.more) return out;
        after = page.rows.at(-1)!;
      }
      throw new Error('paging never ended');
    }

    it('orders by cost, most expensive first, ties newest first, unpriced last', async () => {
      const page = await analytics.orderedTraces(query({}));
      expect(ids(page.rows)).toEqual([3, 4, 0, 2, 6, 5, 1]);
      expect(page.rows[0]).toEqual({ traceId: idOf(3), time: T0 + 3000, value: 0.01 });
      expect(page.rows.at(-1)!.value).toBeNull();
      expect(page.more).toBe(false);
      const cheapest = await analytics.orderedTraces(query({ descending: false }));
      expect(ids(cheapest.rows)).toEqual([6, 2, 4, 0, 3, 5, 1]);
    });

    it('orders by tokens, a usage without a total counting input + output', async () => {
      const page = await analytics.orderedTraces(query({ key: 'total_tokens' }));
      expect(ids(page.rows)).toEqual([3, 4, 0, 6, 1, 5, 2]);
      expect(page.rows.find((r) => r.traceId === idOf(6))!.value).toBe(300);
    });

    it('pages by keyset without repeating or skipping a trace, ties and nulls included', async () => {
      for (const descending of [true, false]) {
        for (const key of ['total_cost', 'total_tokens'] as const) {
          const whole = await analytics.orderedTraces(query({ key, descending }));
          for (const size of [1, 2, 3])
            expect(ids(await allPages({ key, descending }, size))).toEqual(ids(whole.rows));
        }
      }
    });

    it('keeps to the filter (time bounds included) and the search text', async () => {
      const prod = await analytics.orderedTraces(
        query({ scope: { experimentIds: [experimentId], filter: "tags.env = 'prod'" } }),
      );
      expect(ids(prod.rows)).toEqual([3, 0, 2, 1]);
      const window = await analytics.orderedTraces(
        query({
          scope: {
            experimentIds: [experimentId],
            filter: `attributes.timestamp_ms >= ${T0 + 2000} AND attributes.timestamp_ms < ${T0 + 5000}`,
          },
        }),
      );
      expect(ids(window.rows)).toEqual([3, 4, 2]);
      // Any case, in the request or the response; a trace id; LIKE's wildcards are literal.
      const refund = await analytics.orderedTraces(query({ text: 'refund' }));
      expect(ids(refund.rows)).toEqual([3, 4, 0, 2, 6]);
      const byId = await analytics.orderedTraces(query({ text: idOf(5).slice(3) }));
      expect(ids(byId.rows)).toEqual([5]);
      expect((await analytics.orderedTraces(query({ text: '%' }))).rows).toEqual([]);
      expect((await analytics.orderedTraces(query({ scope: { experimentIds: [] } }))).rows).toEqual(
        [],
      );
    });

    it('counts the failed TOOL spans of the traces asked for', async () => {
      const counts = await analytics.failedToolCalls([idOf(0), idOf(1), idOf(4), 'tr-none']);
      expect(counts).toEqual({ [idOf(1)]: 2, [idOf(4)]: 1 });
      expect(await analytics.failedToolCalls([])).toEqual({});
    });

    it("reads a page's assessments in one go, as getAssessments reads each trace's", async () => {
      for (const [i, name, time] of [
        [2, 'late', 300],
        [2, 'early', 100],
        [5, 'only', 200],
      ] as const) {
        await store.createAssessment({
          kind: 'feedback',
          traceId: idOf(i),
          name,
          value: true,
          source: { sourceType: 'HUMAN', sourceId: 'ada' },
          createTime: 1_760_000_000_000 + time,
        });
      }
      const found = await analytics.assessmentsOf([idOf(2), idOf(5), idOf(0), idOf(2)]);
      expect(Object.keys(found).sort()).toEqual([idOf(2), idOf(5)].sort());
      expect(found[idOf(2)]!.map((a) => a.name)).toEqual(['early', 'late']);
      expect(found[idOf(2)]).toEqual(await store.getAssessments(idOf(2)));
      expect(found[idOf(5)]).toEqual(await store.getAssessments(idOf(5)));
      expect(await analytics.assessmentsOf([])).toEqual({});
    });
  });
}
