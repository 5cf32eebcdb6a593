import { join } from 'node:path';
import type { Span, TraceInfo } from '@graphtrace/core';
import { describe, expect, it } from 'vitest';
import { sqliteAnalytics, sqliteStore } from '../src/index.js';
import { rows, tempDir } from './helpers.js';

const dir = tempDir('layouts');
const T0 = 1_764_000_000_000; // a day long over, so 3.17's rollup queue sees it
const TRACE = 'tr-0123456789abcdef0123456789abcdef';
const ROOT = '00000000000000a1';
const LLM = '00000000000000b2';

function span(spanId: string, parent: string | null, extra: Record<string, unknown> = {}): Span {
  return {
    traceId: TRACE,
    spanId,
    parentSpanId: parent,
    name: parent ? 'llm' : 'agent',
    spanType: parent ? 'CHAT_MODEL' : 'AGENT',
    startTimeUnixNano: BigInt(T0) * 1_000_000n + (parent ? 5_000_000n : 0n),
    endTimeUnixNano: BigInt(T0 + 40) * 1_000_000n,
    status: { code: 'OK', message: '' },
    attributes: { 'mlflow.traceRequestId': TRACE, ...extra },
    events: [],
  };
}

function info(experimentId: string): TraceInfo {
  return {
    traceId: TRACE,
    clientRequestId: null,
    experimentId,
    requestTime: T0,
    executionDuration: 40,
    state: 'OK',
    requestPreview: 'q',
    responsePreview: 'a',
    tags: { 'mlflow.traceName': 'agent', env: 'test' },
    traceMetadata: {
      'mlflow.trace.session': 'thread-1',
      'mlflow.trace.tokenUsage': '{"input_tokens":12,"output_tokens":3,"total_tokens":15}',
      'mlflow.trace.cost': '{"input_cost":0.00015,"output_cost":0.0003,"total_cost":0.00045}',
      'mlflow.trace.user': 'ada',
    },
  };
}

/** Writes one trace as graphtrace's pipeline does (spans, then the info) into a new file. */
async function writeTrace(schemaVersion: string) {
  const path = join(dir, `layout-${schemaVersion}.db`);
  const store = sqliteStore({
    path,
    schemaVersion,
    traceWriter: 'inline',
    now: () => T0 + 3 * 86_400_000,
  });
  const exp = (await store.getOrCreateExperiment('layouts')).experimentId;
  await store.logSpans(exp, [
    span(ROOT, null),
    span(LLM, ROOT, {
      'mlflow.llm.model': 'gpt-4o-mini',
      'mlflow.llm.provider': 'openai',
      'mlflow.llm.cost': { input_cost: 0.00015, output_cost: 0.0003, total_cost: 0.00045 },
    }),
  ]);
  await store.startTrace(info(exp));
  await store.createAssessment({
    kind: 'feedback',
    traceId: TRACE,
    name: 'helpful',
    value: true,
    source: { sourceType: 'HUMAN', sourceId: 'ada' },
  });
  const back = await store.getTraceInfo(TRACE);
  const found = (
    await store.searchTraces({
      experimentIds: [exp],
      filter: "tags.`mlflow.traceName` = 'agent' AND metadata.`mlflow.trace.session` = 'thread-1'",
    })
  ).items.map((t) => t.traceId);
  await store.close();
  return { path, exp, back, found };
}

const kv = (path: string, table: string) =>
  Object.fromEntries(
    rows<{ key: string; value: string }>(path, `SELECT key, value FROM ${table}`).map((r) => [
      r.key,
      r.value,
    ]),
  );

describe('each MLflow schema layout holds a trace where that release keeps it', () => {
  it('3.9: name as a tag, session and tokens as metadata, tokens in trace_metrics', async () => {
    const { path, back, found } = await writeTrace('3.9');
    expect(kv(path, 'trace_tags')['mlflow.traceName']).toBe('agent');
    expect(kv(path, 'trace_request_metadata')).toMatchObject({
      'mlflow.trace.session': 'thread-1',
      'mlflow.trace.cost': expect.any(String),
    });
    expect(kv(path, 'trace_request_metadata')['mlflow.trace.infoFinalized']).toBeUndefined();
    expect(kv(path, 'trace_metrics')).toEqual({
      input_tokens: 12,
      output_tokens: 3,
      total_tokens: 15,
    });
    expect(back?.tags['mlflow.traceName']).toBe('agent');
    expect(found).toEqual([TRACE]);
  });

  it('3.13: span model and cost in dimension_attributes and span_metrics, the info finalized', async () => {
    const { path } = await writeTrace('3.13');
    expect(rows(path, 'SELECT span_id, dimension_attributes FROM spans ORDER BY span_id')).toEqual([
      { span_id: ROOT, dimension_attributes: 'null' },
      {
        span_id: LLM,
        dimension_attributes:
          '{"mlflow.llm.model": "gpt-4o-mini", "mlflow.llm.provider": "openai"}',
      },
    ]);
    expect(rows(path, 'SELECT span_id, key, value FROM span_metrics ORDER BY key')).toEqual([
      { span_id: LLM, key: 'input_cost', value: 0.00015 },
      { span_id: LLM, key: 'output_cost', value: 0.0003 },
      { span_id: LLM, key: 'total_cost', value: 0.00045 },
    ]);
    expect(kv(path, 'trace_request_metadata')['mlflow.trace.infoFinalized']).toBe('true');
    // One span write (+1) and the info after it (+1), as MLflow counts payload writes.
    expect(rows(path, 'SELECT db_payload_generation AS g FROM trace_info')).toEqual([{ g: 2 }]);
  });

  it('3.17: analytics columns instead of rows, read back as MLflow 3.17 shows them', async () => {
    const { path, exp, back, found } = await writeTrace('3.17');
    expect(
      rows(
        path,
        `SELECT trace_name, session_id, input_tokens, output_tokens, total_tokens, input_cost,
           output_cost, total_cost FROM trace_info`,
      ),
    ).toEqual([
      {
        trace_name: 'agent',
        session_id: 'thread-1',
        input_tokens: 12,
        output_tokens: 3,
        total_tokens: 15,
        input_cost: 0.00015,
        output_cost: 0.0003,
        total_cost: 0.00045,
      },
    ]);
    // The promoted keys have no rows; the rest stay rows.
    expect(kv(path, 'trace_tags')['mlflow.traceName']).toBeUndefined();
    expect(Object.keys(kv(path, 'trace_request_metadata')).sort()).toEqual([
      'mlflow.trace.infoFinalized',
      'mlflow.trace.user',
    ]);
    expect(rows(path, 'SELECT count(*) AS n FROM trace_metrics')).toEqual([{ n: 0 }]);
    expect(
      rows(
        path,
        'SELECT span_id, model_name, model_provider, total_cost FROM spans ORDER BY span_id',
      ),
    ).toEqual([
      { span_id: ROOT, model_name: null, model_provider: null, total_cost: null },
      { span_id: LLM, model_name: 'gpt-4o-mini', model_provider: 'openai', total_cost: 0.00045 },
    ]);
    expect(
      rows(
        path,
        'SELECT experiment_id, trace_timestamp_ms, aggregate_value, is_numeric_value FROM assessments',
      ),
    ).toEqual([
      {
        experiment_id: Number(exp),
        trace_timestamp_ms: T0,
        aggregate_value: 1,
        is_numeric_value: 0,
      },
    ]);
    // The day is over: MLflow's rollup job must rebuild it.
    expect(
      rows(path, 'SELECT rollup_day, rollup_family FROM sql_trace_rollup_rebuild_queue ORDER BY 2'),
    ).toEqual([
      { rollup_day: '2025-11-24', rollup_family: 'assessment' },
      { rollup_day: '2025-11-24', rollup_family: 'span_cost' },
      { rollup_day: '2025-11-24', rollup_family: 'trace_metric' },
    ]);
    expect(back?.tags['mlflow.traceName']).toBe('agent');
    expect(back?.traceMetadata).toMatchObject({
      'mlflow.trace.session': 'thread-1',
      'mlflow.trace.tokenUsage': '{"input_tokens": 12, "output_tokens": 3, "total_tokens": 15}',
      'mlflow.trace.cost': '{"input_cost": 0.00015, "output_cost": 0.0003, "total_cost": 0.00045}',
      'mlflow.trace.user': 'ada',
    });
    expect(found).toEqual([TRACE]);
  });

  it('3.17: a name or session over MLflow’s limits is cut, never loses the trace', async () => {
    const path = join(dir, 'limits.db');
    const store = sqliteStore({ path, schemaVersion: '3.17', traceWriter: 'inline' });
    const exp = (await store.getOrCreateExperiment('limits')).experimentId;
    const long = info(exp);
    long.tags['mlflow.traceName'] = `${'n'.repeat(5000)}`;
    long.traceMetadata['mlflow.trace.session'] = `${'s'.repeat(300)}`;
    await store.startTrace(long);
    await store.close();
    expect(
      rows<{ n: number; s: number }>(
        path,
        'SELECT length(trace_name) AS n, length(session_id) AS s FROM trace_info',
      ),
    ).toEqual([{ n: 4096, s: 250 }]);
  });
});

describe('the dashboard’s SQL analytics read every layout alike', () => {
  /** Three traces in two sessions with tokens and a feedback, in a new file of a schema. */
  async function analyticsOf(schemaVersion: string) {
    const path = join(dir, `analytics-${schemaVersion}.db`);
    const store = sqliteStore({ path, schemaVersion, traceWriter: 'inline' });
    const exp = (await store.getOrCreateExperiment('a')).experimentId;
    for (let i = 0; i < 3; i++) {
      const id = `tr-${String(i + 1).padStart(32, '0')}`;
      const t = {
        ...info(exp),
        traceId: id,
        requestTime: T0 + i * 1000,
        state: i === 2 ? ('ERROR' as const) : ('OK' as const),
      };
      t.traceMetadata = { ...t.traceMetadata, 'mlflow.trace.session': i < 2 ? 's1' : 's2' };
      t.tags = { ...t.tags, 'mlflow.traceName': `agent-${i}` };
      await store.startTrace(t);
      await store.createAssessment({
        kind: 'feedback',
        traceId: id,
        name: 'ok',
        value: i !== 1,
        source: { sourceType: 'HUMAN', sourceId: 'ada' },
        createTime: T0 + 5000 + i,
      });
    }
    const a = sqliteAnalytics({ path }, { thread: 'inline' });
    const scope = { experimentIds: [exp], from: T0 - 1000, to: T0 + 60_000 };
    const out = {
      totals: (await a.timeseries(scope, 60_000)).totals,
      sessions: (await a.sessions(scope, { limit: 10, offset: 0 })).sessions,
      recent: (await a.recentAssessments(scope, { limit: 10 })).assessments.map((r) => [
        r.name,
        r.traceName,
      ]),
      bySession: await a.countTraces({
        experimentIds: [exp],
        filter: "metadata.`mlflow.trace.session` = 's1' AND attributes.name LIKE 'agent-%'",
      }),
    };
    await a.close();
    await store.close();
    return out;
  }

  it('gives the same figures on a 3.17 file (columns) as on a 3.9 file (rows)', async () => {
    const old = await analyticsOf('3.9');
    expect(old.totals).toMatchObject({ traces: 3, errors: 1, inputTokens: 36, outputTokens: 9 });
    expect(old.sessions.map((s) => [s.session, s.traces, s.inputTokens])).toEqual([
      ['s2', 1, 12],
      ['s1', 2, 24],
    ]);
    expect(old.recent.map(([, name]) => name)).toEqual(['agent-2', 'agent-1', 'agent-0']);
    expect(old.bySession).toEqual({ count: 2, exact: true });
    expect(await analyticsOf('3.17')).toEqual(old);
  });
});
