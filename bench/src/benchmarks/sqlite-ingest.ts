import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Span, spanToMlflowJson, type TraceInfo } from '@graphtrace/core';
import { openSchema, sqliteStore } from '@graphtrace/store-sqlite';
import Database from 'better-sqlite3';
import { type Benchmark, sideBySide } from '../harness.js';

const TRACES_PER_ROUND = 20;
const SPANS_PER_TRACE = 50;
const SPANS_PER_ROUND = TRACES_PER_ROUND * SPANS_PER_TRACE; // 1000: one span transaction
const hex = (n: number) => randomBytes(n).toString('hex');

/** ~1 KB of attributes per span, shaped like an LLM/tool call. */
function attributes(i: number): Record<string, unknown> {
  // Through JSON, so the strings are flat as they are when they come from an API response.
  return JSON.parse(
    JSON.stringify({
      'mlflow.spanInputs': {
        messages: [
          { role: 'system', content: 'You are a careful assistant. '.repeat(8) },
          {
            role: 'user',
            content: `Question ${i}: ${'what is the weather like today? '.repeat(6)}`,
          },
        ],
      },
      'mlflow.spanOutputs': {
        role: 'assistant',
        content: 'It is sunny with a light breeze. '.repeat(6),
      },
      'mlflow.chat.tokenUsage': { input_tokens: 120, output_tokens: 40, total_tokens: 160 },
      model: 'scripted-llm',
    }),
  );
}

interface RoundData {
  spans: Span[];
  infos: TraceInfo[];
}

function makeRound(experimentId: string): RoundData {
  const spans: Span[] = [];
  const infos: TraceInfo[] = [];
  const t0 = BigInt(Date.now()) * 1_000_000n;
  for (let t = 0; t < TRACES_PER_ROUND; t++) {
    const traceId = `tr-${hex(16)}`;
    const rootId = hex(8);
    for (let s = 0; s < SPANS_PER_TRACE; s++) {
      spans.push({
        traceId,
        spanId: s === 0 ? rootId : hex(8),
        parentSpanId: s === 0 ? null : rootId,
        name: s === 0 ? 'agent' : `llm-${s}`,
        spanType: s === 0 ? 'AGENT' : 'CHAT_MODEL',
        startTimeUnixNano: t0 + BigInt(s * 1000),
        endTimeUnixNano: t0 + 5_000_000n + BigInt(s * 1000),
        status: { code: 'OK' },
        attributes: attributes(s),
        events: [],
      });
    }
    infos.push({
      traceId,
      clientRequestId: null,
      experimentId,
      requestTime: Number(t0 / 1_000_000n),
      executionDuration: 5,
      state: 'OK',
      requestPreview: 'Question 0',
      responsePreview: 'It is sunny',
      traceMetadata: {
        'mlflow.trace_schema.version': '3',
        'mlflow.trace.tokenUsage': '{"input_tokens":6000,"output_tokens":2000,"total_tokens":8000}',
        'mlflow.trace.sizeStats': `{"total_size_bytes":50000,"num_spans":${SPANS_PER_TRACE}}`,
        'mlflow.trace.session': 'bench',
      },
      tags: { 'mlflow.traceName': 'agent', env: 'bench' },
    });
  }
  return { spans, infos };
}

/**
 * The same rows as the store writes, inserted with hand-written prepared statements: all of a
 * round (spans, trace_info, tags, metadata, trace_metrics) in one transaction, no reads.
 */
function rawWriter(db: Database.Database, experimentId: number, artifactRoot: string) {
  const span = db.prepare(
    `INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status,
       start_time_unix_nano, end_time_unix_nano, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const info = db.prepare(
    `INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status,
       client_request_id, request_preview, response_preview) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const tag = db.prepare('INSERT INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)');
  const meta = db.prepare(
    'INSERT INTO trace_request_metadata (key, value, request_id) VALUES (?, ?, ?)',
  );
  const metric = db.prepare('INSERT INTO trace_metrics (request_id, key, value) VALUES (?, ?, ?)');
  return db.transaction((round: RoundData, contents: string[]) => {
    for (const i of round.infos) {
      info.run(
        i.traceId,
        experimentId,
        i.requestTime,
        i.executionDuration,
        i.state,
        null,
        i.requestPreview,
        i.responsePreview,
      );
      for (const [k, v] of Object.entries(i.tags)) tag.run(k, v, i.traceId);
      tag.run('mlflow.trace.spansLocation', 'TRACKING_STORE', i.traceId);
      tag.run(
        'mlflow.artifactLocation',
        `${artifactRoot}/traces/${i.traceId}/artifacts`,
        i.traceId,
      );
      for (const [k, v] of Object.entries(i.traceMetadata)) meta.run(k, v, i.traceId);
      metric.run(i.traceId, 'input_tokens', 6000);
      metric.run(i.traceId, 'output_tokens', 2000);
      metric.run(i.traceId, 'total_tokens', 8000);
    }
    round.spans.forEach((s, k) => {
      span.run(
        s.traceId,
        experimentId,
        s.spanId,
        s.parentSpanId,
        s.name,
        s.spanType,
        s.status.code,
        s.startTimeUnixNano,
        s.endTimeUnixNano,
        contents[k],
      );
    });
  });
}

/** Span ingest: sqliteStore's logSpans + startTrace against raw prepared inserts of the same rows. */
export const benchmark: Benchmark = {
  name: 'sqlite-ingest',
  description: `spans persisted per second, traces of ${SPANS_PER_TRACE} spans with ~1 KB attributes: sqliteStore vs raw better-sqlite3`,
  async run({ rounds }) {
    const dir = mkdtempSync(join(tmpdir(), 'graphtrace-bench-ingest-'));
    try {
      const store = sqliteStore({ path: join(dir, 'store.db') });
      const exp = (await store.getOrCreateExperiment('bench')).experimentId;

      const rawDb = new Database(join(dir, 'raw.db'));
      await openSchema(rawDb); // same schema, indexes and WAL as the store
      rawDb.pragma('synchronous = NORMAL'); // the store's default on files it opens
      rawDb
        .prepare(
          "INSERT INTO experiments (name, artifact_location, lifecycle_stage) VALUES ('bench', ?, 'active')",
        )
        .run(join(dir, 'mlruns', '1'));
      const writeRaw = rawWriter(rawDb, 1, join(dir, 'mlruns', '1'));

      const total = rounds + 3; // the harness warms up 3 rounds
      const storeRounds = Array.from({ length: total }, () => makeRound(exp));
      const rawRounds = Array.from({ length: total }, () => makeRound('1'));
      const preRounds = Array.from({ length: total }, () => makeRound('1'));
      const preContents = preRounds.map((r) => r.spans.map(spanToMlflowJson));
      let si = 0;
      let ri = 0;
      let pi = 0;

      const results = await sideBySide(
        [
          {
            name: 'raw better-sqlite3 (encode + insert, 1 tx)',
            round: () => {
              const r = rawRounds[ri++]!;
              writeRaw(r, r.spans.map(spanToMlflowJson));
              return SPANS_PER_ROUND;
            },
          },
          {
            name: 'sqliteStore logSpans + startTrace',
            round: async () => {
              // As the span pipeline calls it: one logSpans per 1000 spans, then the infos.
              const r = storeRounds[si++]!;
              await store.logSpans(exp, r.spans);
              for (const info of r.infos) await store.startTrace(info);
              return SPANS_PER_ROUND;
            },
          },
          {
            name: 'raw better-sqlite3 (pre-encoded content)',
            round: () => {
              writeRaw(preRounds[pi]!, preContents[pi]!);
              pi++;
              return SPANS_PER_ROUND;
            },
          },
        ],
        rounds,
      );
      await store.close();
      rawDb.close();

      const [raw, ours, pre] = results as [
        (typeof results)[0],
        (typeof results)[0],
        (typeof results)[0],
      ];
      const perSecond = (ns: number) => Math.round(1e9 / ns);
      return {
        results,
        figures: {
          'sqliteStore spans/s': perSecond(ours.medianNsPerOp),
          'raw (encode + insert) spans/s': perSecond(raw.medianNsPerOp),
          'raw (pre-encoded) spans/s': perSecond(pre.medianNsPerOp),
          'sqliteStore throughput as % of raw (encode + insert)':
            (100 * raw.medianNsPerOp) / ours.medianNsPerOp,
          'sqliteStore throughput as % of raw (pre-encoded)':
            (100 * pre.medianNsPerOp) / ours.medianNsPerOp,
        },
        notes: [
          'target: ≥ 60 % of raw (encode + insert)',
          `round = ${TRACES_PER_ROUND} traces × ${SPANS_PER_TRACE} spans; the store writes spans in one transaction and each trace info in its own, as the span pipeline calls it`,
          'both files: MLflow 3.9.0 schema (same indexes), WAL, synchronous NORMAL (the store default)',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
