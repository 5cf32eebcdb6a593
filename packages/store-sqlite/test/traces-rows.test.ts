import { join } from 'node:path';
import { makeSpan, makeTraceInfo, makeTraceTree, newTraceId } from '@graphtrace/core/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqliteStore, sqliteStore } from '../src/index.js';
import { rows, tempDir } from './helpers.js';

const dir = tempDir('sqlite-traces');
const path = join(dir, 'mlflow.db');
let store: SqliteStore;
let exp: string;
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  store = sqliteStore({ path });
  exp = (await store.getOrCreateExperiment('traces-rows')).experimentId;
});
afterAll(() => store.close());

const usage = '{"input_tokens":12,"output_tokens":3,"total_tokens":15}';

describe('trace rows in MLflow’s tables', () => {
  it('writes trace_info, tags (with spansLocation and artifactLocation), metadata and trace_metrics', async () => {
    const traceId = newTraceId();
    await store.logSpans(exp, makeTraceTree(traceId, T0));
    await store.startTrace(
      makeTraceInfo(exp, traceId, {
        requestTime: T0,
        executionDuration: 40,
        clientRequestId: 'client-1',
        tags: { 'mlflow.traceName': 'agent', env: 'prod' },
        traceMetadata: {
          'mlflow.trace_schema.version': '3',
          'mlflow.trace.tokenUsage': usage,
          'mlflow.trace.session': 'thread-9',
        },
      }),
    );
    expect(rows(path, 'SELECT * FROM trace_info WHERE request_id = ?', traceId)).toEqual([
      {
        request_id: traceId,
        experiment_id: Number(exp),
        timestamp_ms: T0,
        execution_time_ms: 40,
        status: 'OK',
        client_request_id: 'client-1',
        request_preview: '{"question":"hi"}',
        response_preview: '"hello"',
      },
    ]);
    expect(
      rows(path, 'SELECT key, value FROM trace_tags WHERE request_id = ? ORDER BY key', traceId),
    ).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'mlflow.artifactLocation', value: `${dir}/mlruns/${exp}/traces/${traceId}/artifacts` },
      { key: 'mlflow.trace.spansLocation', value: 'TRACKING_STORE' },
      { key: 'mlflow.traceName', value: 'agent' },
    ]);
    expect(
      rows(
        path,
        'SELECT key, value FROM trace_request_metadata WHERE request_id = ? ORDER BY key',
        traceId,
      ),
    ).toEqual([
      { key: 'mlflow.trace.session', value: 'thread-9' },
      { key: 'mlflow.trace.tokenUsage', value: usage },
      { key: 'mlflow.trace_schema.version', value: '3' },
    ]);
    expect(
      rows(
        path,
        'SELECT key, value, typeof(value) AS t FROM trace_metrics WHERE request_id = ? ORDER BY key',
        traceId,
      ),
    ).toEqual([
      { key: 'input_tokens', value: 12, t: 'real' },
      { key: 'output_tokens', value: 3, t: 'real' },
      { key: 'total_tokens', value: 15, t: 'real' },
    ]);
  });

  it('writes one spans row per span: columns, MLflow span JSON content, generated duration_ns', async () => {
    const traceId = newTraceId();
    const spans = makeTraceTree(traceId, T0);
    await store.logSpans(exp, spans);
    await store.logSpans(exp, spans.slice(0, 2)); // written twice: still one row each
    const db = new Database(path, { readonly: true });
    const got = db
      .prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_time_unix_nano')
      .safeIntegers(true)
      .all(traceId) as Record<string, unknown>[];
    db.close();
    expect(got).toHaveLength(4);
    const [root, llm, tool] = spans;
    expect(got[0]).toMatchObject({
      trace_id: traceId,
      experiment_id: BigInt(exp),
      span_id: root!.spanId,
      parent_span_id: null,
      name: 'agent',
      type: 'AGENT',
      status: 'OK',
      start_time_unix_nano: root!.startTimeUnixNano,
      end_time_unix_nano: root!.endTimeUnixNano,
      duration_ns: root!.endTimeUnixNano! - root!.startTimeUnixNano,
    });
    expect(got[2]).toMatchObject({
      span_id: tool!.spanId,
      parent_span_id: root!.spanId,
      type: 'TOOL',
      status: 'ERROR',
    });
    const content = JSON.parse(got[1]!.content as string);
    expect(content).toEqual({
      trace_id: Buffer.from(traceId.slice(3), 'hex').toString('base64'),
      span_id: Buffer.from(llm!.spanId, 'hex').toString('base64'),
      parent_span_id: Buffer.from(root!.spanId, 'hex').toString('base64'),
      name: 'model',
      start_time_unix_nano: expect.any(Number),
      end_time_unix_nano: expect.any(Number),
      events: [{ name: 'token', time_unix_nano: expect.any(Number), attributes: { text: '4' } }],
      status: { code: 'STATUS_CODE_OK', message: '' },
      attributes: {
        'mlflow.traceRequestId': JSON.stringify(traceId),
        'mlflow.spanType': '"CHAT_MODEL"',
        'mlflow.chat.tokenUsage': '{"input_tokens":12,"output_tokens":3,"total_tokens":15}',
        'mlflow.message.format': '"langchain"',
        temperature: '0.5',
        flag: 'true',
      },
    });
    // Exact ns in the text, not rounded through a double.
    expect(got[1]!.content as string).toContain(`"start_time_unix_nano":${llm!.startTimeUnixNano}`);
  });

  it('creates the trace from spans as MLflow’s log_spans does, then widens it', async () => {
    const traceId = newTraceId();
    const [root, llm, tool, inner] = makeTraceTree(traceId, T0);
    await store.logSpans(exp, [llm!, inner!]);
    const info = () =>
      rows(
        path,
        'SELECT timestamp_ms, execution_time_ms, status FROM trace_info WHERE request_id = ?',
        traceId,
      );
    expect(info()).toEqual([
      { timestamp_ms: T0 + 1, execution_time_ms: 12, status: 'IN_PROGRESS' },
    ]);
    expect(
      rows(path, 'SELECT key FROM trace_tags WHERE request_id = ? ORDER BY key', traceId),
    ).toEqual([{ key: 'mlflow.artifactLocation' }, { key: 'mlflow.trace.spansLocation' }]);
    await store.logSpans(exp, [tool!]);
    expect(info()).toEqual([
      { timestamp_ms: T0 + 1, execution_time_ms: 19, status: 'IN_PROGRESS' },
    ]);
    await store.logSpans(exp, [root!]);
    expect(info()).toEqual([{ timestamp_ms: T0, execution_time_ms: 40, status: 'OK' }]);
    expect(
      rows(
        path,
        "SELECT value FROM trace_tags WHERE request_id = ? AND key = 'mlflow.traceName'",
        traceId,
      ),
    ).toEqual([{ value: 'agent' }]);
  });

  it('takes ERROR from an erroring root, but never overrides a finished status', async () => {
    const traceId = newTraceId();
    const root = makeSpan(traceId, {
      name: 'r',
      status: { code: 'ERROR', message: 'x' },
      startTimeUnixNano: BigInt(T0) * 1_000_000n,
    });
    await store.logSpans(exp, [root]);
    expect((await store.getTraceInfo(traceId))?.state).toBe('ERROR');
    await store.startTrace(makeTraceInfo(exp, traceId, { state: 'OK' }));
    await store.logSpans(exp, [root]);
    expect((await store.getTraceInfo(traceId))?.state).toBe('OK');
  });

  it('keeps as many span rows as the size stats count, so MLflow sees the trace as complete', async () => {
    const traceId = newTraceId();
    const spans = makeTraceTree(traceId, T0);
    await store.logSpans(exp, spans);
    await store.startTrace(
      makeTraceInfo(exp, traceId, {
        traceMetadata: { 'mlflow.trace.sizeStats': JSON.stringify({ num_spans: spans.length }) },
      }),
    );
    const [{ n }] = rows<{ n: number }>(
      path,
      'SELECT count(*) AS n FROM spans WHERE trace_id = ?',
      traceId,
    ) as [{ n: number }];
    const stats = JSON.parse(
      (await store.getTraceInfo(traceId))!.traceMetadata['mlflow.trace.sizeStats']!,
    );
    expect(n).toBe(stats.num_spans);
  });

  it('deletes a trace with everything that hangs off it', async () => {
    const traceId = newTraceId();
    await store.logSpans(exp, makeTraceTree(traceId, T0));
    await store.startTrace(
      makeTraceInfo(exp, traceId, { traceMetadata: { 'mlflow.trace.tokenUsage': usage } }),
    );
    await store.createAssessment({
      kind: 'feedback',
      traceId,
      name: 'ok',
      value: 1,
      source: { sourceType: 'HUMAN', sourceId: 'a' },
    });
    expect(await store.deleteTraces({ experimentId: exp, traceIds: [traceId] })).toBe(1);
    for (const [table, column] of [
      ['trace_info', 'request_id'],
      ['trace_tags', 'request_id'],
      ['trace_request_metadata', 'request_id'],
      ['trace_metrics', 'request_id'],
      ['assessments', 'trace_id'],
      ['spans', 'trace_id'],
    ] as const) {
      expect(
        rows(path, `SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`, traceId),
        table,
      ).toEqual([{ n: 0 }]);
    }
  });
});

describe('assessments', () => {
  it('writes MLflow’s assessment row and reads it back', async () => {
    const traceId = newTraceId();
    const spans = makeTraceTree(traceId, T0);
    await store.logSpans(exp, spans);
    await store.startTrace(makeTraceInfo(exp, traceId));
    const fb = await store.createAssessment({
      kind: 'feedback',
      traceId,
      spanId: spans[1]!.spanId,
      name: 'quality',
      value: { score: 0.5 },
      rationale: 'fine',
      error: { errorCode: 'TIMEOUT', errorMessage: 'judge timed out' },
      metadata: { judge: 'v1' },
      runId: 'c'.repeat(32),
      source: { sourceType: 'LLM_JUDGE', sourceId: 'judge' },
      createTime: 1234,
    });
    expect(
      rows(path, 'SELECT * FROM assessments WHERE assessment_id = ?', fb.assessmentId),
    ).toEqual([
      {
        assessment_id: fb.assessmentId,
        trace_id: traceId,
        name: 'quality',
        assessment_type: 'feedback',
        value: '{"score":0.5}',
        error: '{"error_code":"TIMEOUT","error_message":"judge timed out","stack_trace":null}',
        created_timestamp: 1234,
        last_updated_timestamp: 1234,
        source_type: 'LLM_JUDGE',
        source_id: 'judge',
        run_id: 'c'.repeat(32),
        span_id: spans[1]!.spanId,
        rationale: 'fine',
        overrides: null,
        valid: 1,
        assessment_metadata: '{"judge":"v1"}',
      },
    ]);
    expect(fb).toMatchObject({
      kind: 'feedback',
      value: { score: 0.5 },
      error: { errorCode: 'TIMEOUT', errorMessage: 'judge timed out' },
      metadata: { judge: 'v1' },
      valid: true,
    });
  });
});

describe('reading spans MLflow’s Python SDK wrote', () => {
  it('reads exception event times written in µs as ns', async () => {
    const traceId = newTraceId();
    const start = BigInt(T0) * 1_000_000n;
    const span = makeSpan(traceId, {
      name: 'tool',
      startTimeUnixNano: start,
      events: [{ name: 'exception', timeUnixNano: (start + 5_000_000n) / 1000n, attributes: {} }],
    });
    await store.logSpans(exp, [span]);
    const got = await store.getTrace(traceId);
    expect(got!.spans[0]!.events[0]!.timeUnixNano).toBe(start + 5_000_000n);
  });
});
