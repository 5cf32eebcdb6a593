import { join } from 'node:path';
import { FilterSyntaxError, type Span, type TraceInfo } from '@graphtrace/core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteAnalytics, sqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

/*
 * The indexed aggregate queries behind the dashboard. Their figures are checked against core's
 * summariseTraces and the dashboard's scanning fallback in @graphtrace/dashboard's tests; here:
 * sources, threads, closing, and hand-computed figures on a small database.
 */
const dir = tempDir('graphtrace-analytics');
const path = join(dir, 'mlflow.db');
const store = sqliteStore({ path });
let experimentId: string;
const T0 = 1_700_000_000_000;

/** Span `n` of trace `i` (0 is the root), starting `n` ms after the trace. */
function span(i: number, n: number, type: string, name: string, ms: number, error = false): Span {
  const start = BigInt(T0 + i * 60_000 + n) * 1_000_000n;
  return {
    traceId: traceIdOf(i),
    spanId: (i * 10 + n + 1).toString(16).padStart(16, '0'),
    parentSpanId: n === 0 ? null : (i * 10 + 1).toString(16).padStart(16, '0'),
    name,
    spanType: type,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(ms) * 1_000_000n,
    status: error ? { code: 'ERROR', message: 'Error: boom' } : { code: 'OK' },
    attributes: {},
    events: [],
  };
}

const traceIdOf = (i: number) => `tr-${String(i + 1).padStart(32, '0')}`;

beforeAll(async () => {
  experimentId = (await store.getOrCreateExperiment('analytics')).experimentId;
  for (let i = 0; i < 4; i++) {
    const traceId = traceIdOf(i);
    const info: TraceInfo = {
      traceId,
      clientRequestId: null,
      experimentId,
      requestTime: T0 + i * 60_000,
      executionDuration: 100 * (i + 1),
      state: i === 3 ? 'ERROR' : 'OK',
      requestPreview: null,
      responsePreview: null,
      traceMetadata: {
        'mlflow.trace.session': i < 2 ? 'a' : 'b',
        'mlflow.trace.tokenUsage': JSON.stringify({
          input_tokens: 10,
          output_tokens: 5,
          total_tokens: 15,
        }),
        ...(i === 0 ? {} : { 'graphtrace.agent.llmCalls': '2', 'graphtrace.agent.toolCalls': '1' }),
      },
      tags: {},
    };
    await store.startTrace(info);
    await store.logSpans(experimentId, [
      span(i, 0, 'AGENT', 'agent', 100 * (i + 1)),
      span(i, 1, 'CHAT_MODEL', 'llm', 30),
      span(i, 2, 'TOOL', 'search', 10 * (i + 1), i === 3),
    ]);
  }
});

afterAll(() => store.close());

const scope = () => ({ experimentIds: [experimentId], from: T0, to: T0 + 3_600_000 });

describe('sqliteAnalytics', () => {
  it('computes the figures by SQL, on a worker thread by default, and the same inline', async () => {
    const onWorker = sqliteAnalytics(store);
    const inline = sqliteAnalytics({ path }, { thread: 'inline' });
    expect(onWorker.description).toMatch(/GROUP BY.*on a worker thread$/);
    expect(inline.description).not.toMatch(/worker/);
    for (const a of [onWorker, inline]) {
      const series = await a.timeseries(scope(), 120_000);
      expect(series.points.map((p) => p.traces)).toEqual([2, 2]);
      expect(series.totals).toEqual({
        traces: 4,
        errors: 1,
        latencyP50Ms: 200, // nearest rank of 100, 200, 300, 400
        latencyP95Ms: 400,
        inputTokens: 40,
        outputTokens: 20,
        // three traces carry counters; the first one's spans are counted instead
        llmCalls: 7,
        toolCalls: 4,
        tracesWithCalls: 4,
      });
      const tools = await a.tools(scope(), { examples: 1 });
      expect(tools.tools).toEqual([
        {
          name: 'search',
          calls: 4,
          errors: 1,
          latencyP50Ms: 20,
          latencyP95Ms: 40,
          latencyMaxMs: 40,
          slowest: [expect.objectContaining({ durationMs: 40, error: 'Error: boom' })],
          failing: [expect.objectContaining({ durationMs: 40, error: 'Error: boom' })],
        },
      ]);
      const sessions = await a.sessions(scope(), { limit: 10, offset: 0 });
      expect(sessions.sessions.map((s) => [s.session, s.traces, s.errors])).toEqual([
        ['b', 2, 1],
        ['a', 2, 0],
      ]);
      expect(
        await a.countTraces({ experimentIds: [experimentId], filter: "status = 'ERROR'" }),
      ).toEqual({
        count: 1,
        exact: true,
      });
      await a.close();
      await expect(a.countTraces({ experimentIds: [experimentId] })).rejects.toThrow(/closed/);
    }
  });

  it('reads a connection it is given, and leaves it open', async () => {
    const db = new Database(path, { readonly: true });
    const a = sqliteAnalytics({ database: db });
    expect(await a.experimentStats([experimentId])).toEqual([
      {
        experimentId,
        traces: 4,
        tracesExact: true,
        firstTraceTime: T0,
        lastTraceTime: T0 + 180_000,
      },
    ]);
    await a.close();
    expect(db.open).toBe(true);
    db.close();
  });

  it('refuses an in-memory store, and a bad filter before touching the database', async () => {
    expect(() => sqliteAnalytics(sqliteStore({ path: ':memory:' }))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
    const a = sqliteAnalytics({ path: join(dir, 'never-created.db') });
    await expect(a.timeseries({ ...scope(), filter: 'status ~ 1' }, 60_000)).rejects.toBeInstanceOf(
      FilterSyntaxError,
    );
    await expect(a.countTraces({ experimentIds: ['1'] })).rejects.toThrow(
      expect.objectContaining({ code: 'STORE_UNAVAILABLE' }),
    );
    await a.close();
  });
});
