import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span, TraceInfo } from '@graphtrace/core';
import { spanToMlflowJson } from '@graphtrace/core/store-kit';
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
 * round in one transaction, no reads. MLflow 3.9's layout: name, session and tokens as tag,
 * metadata and trace_metrics rows; 3.17's: as trace_info columns, with the spans' analytics
 * columns and the finalized marker.
 */
function rawWriter(
  db: Database.Database,
  layout: '3.9' | '3.17',
  experimentId: number,
  artifactRoot: string,
) {
  const v317 = layout === '3.17';
  const span = db.prepare(
    `INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status,
       start_time_unix_nano, end_time_unix_nano, content${v317 ? ', input_cost, output_cost, total_cost, model_name, model_provider' : ''})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?${v317 ? ', NULL, NULL, NULL, NULL, NULL' : ''})`,
  );
  const info = db.prepare(
    v317
      ? `INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status,
           client_request_id, request_preview, response_preview, db_payload_generation, trace_name,
           session_id, input_tokens, output_tokens, total_tokens)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2, ?, ?, 6000, 2000, 8000)`
      : `INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status,
           client_request_id, request_preview, response_preview) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const tag = db.prepare('INSERT INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)');
  const meta = db.prepare(
    'INSERT INTO trace_request_metadata (key, value, request_id) VALUES (?, ?, ?)',
  );
  const metric = db.prepare('INSERT INTO trace_metrics (request_id, key, value) VALUES (?, ?, ?)');
  const promoted = new Set(
    v317 ? ['mlflow.traceName', 'mlflow.trace.session', 'mlflow.trace.tokenUsage'] : [],
  );
  return db.transaction((round: RoundData, contents: string[]) => {
    for (const i of round.infos) {
      const base = [
        i.traceId,
        experimentId,
        i.requestTime,
        i.executionDuration,
        i.state,
        null,
        i.requestPreview,
        i.responsePreview,
      ];
      if (v317)
        info.run(...base, i.tags['mlflow.traceName'], i.traceMetadata['mlflow.trace.session']);
      else info.run(...base);
      for (const [k, v] of Object.entries(i.tags)) if (!promoted.has(k)) tag.run(k, v, i.traceId);
      tag.run('mlflow.trace.spansLocation', 'TRACKING_STORE', i.traceId);
      tag.run(
        'mlflow.artifactLocation',
        `${artifactRoot}/traces/${i.traceId}/artifacts`,
        i.traceId,
      );
      for (const [k, v] of Object.entries(i.traceMetadata))
        if (!promoted.has(k)) meta.run(k, v, i.traceId);
      if (v317) meta.run('mlflow.trace.infoFinalized', 'true', i.traceId);
      else {
        metric.run(i.traceId, 'input_tokens', 6000);
        metric.run(i.traceId, 'output_tokens', 2000);
        metric.run(i.traceId, 'total_tokens', 8000);
      }
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

/** A raw file of a schema with the bench experiment (id 1), as the store's files are set up. */
async function rawFile(path: string, schemaVersion: string, artifactRoot: string) {
  const db = new Database(path);
  await openSchema(db, { schemaVersion }); // same schema, indexes and WAL as the store
  db.pragma('synchronous = NORMAL'); // the store's default on files it opens
  db.prepare(
    "INSERT INTO experiments (name, artifact_location, lifecycle_stage) VALUES ('bench', ?, 'active')",
  ).run(artifactRoot);
  return db;
}

/**
 * Span ingest: sqliteStore's logSpans + startTrace against raw prepared inserts of the same rows,
 * in MLflow 3.9's layout and in 3.17's (analytics columns), side by side in one run.
 */
export const benchmark: Benchmark = {
  name: 'sqlite-ingest',
  description: `spans persisted per second, traces of ${SPANS_PER_TRACE} spans with ~1 KB attributes: sqliteStore vs raw better-sqlite3, MLflow 3.9 and 3.17 layouts`,
  async run({ rounds }) {
    const dir = mkdtempSync(join(tmpdir(), 'graphtrace-bench-ingest-'));
    try {
      const artifactRoot = join(dir, 'mlruns', '1');
      const store = sqliteStore({ path: join(dir, 'store.db') });
      const exp = (await store.getOrCreateExperiment('bench')).experimentId;
      const store317 = sqliteStore({ path: join(dir, 'store-317.db'), schemaVersion: '3.17' });
      const exp317 = (await store317.getOrCreateExperiment('bench')).experimentId;
      const rawDb = await rawFile(join(dir, 'raw.db'), '3.9', artifactRoot);
      const rawDb317 = await rawFile(join(dir, 'raw-317.db'), '3.17', artifactRoot);
      const writeRaw = rawWriter(rawDb, '3.9', 1, artifactRoot);
      const writeRaw317 = rawWriter(rawDb317, '3.17', 1, artifactRoot);

      const total = rounds + 3; // the harness warms up 3 rounds
      const prepared = (experimentId: string) =>
        Array.from({ length: total }, () => makeRound(experimentId));
      const storeRounds = prepared(exp);
      const store317Rounds = prepared(exp317);
      const rawRounds = prepared('1');
      const raw317Rounds = prepared('1');
      const preRounds = prepared('1');
      const preContents = preRounds.map((r) => r.spans.map(spanToMlflowJson));
      const next = (rs: RoundData[]) => {
        let i = 0;
        return () => rs[i++]!;
      };
      const nextStore = next(storeRounds);
      const nextStore317 = next(store317Rounds);
      const nextRaw = next(rawRounds);
      const nextRaw317 = next(raw317Rounds);
      let pi = 0;
      // As the span pipeline calls the store: one logSpans per 1000 spans, then the infos.
      const viaStore = async (s: typeof store, experimentId: string, r: RoundData) => {
        await s.logSpans(experimentId, r.spans);
        for (const info of r.infos) await s.startTrace(info);
        return SPANS_PER_ROUND;
      };

      const results = await sideBySide(
        [
          {
            name: 'raw better-sqlite3, 3.9 layout (encode + insert, 1 tx)',
            round: () => {
              const r = nextRaw();
              writeRaw(r, r.spans.map(spanToMlflowJson));
              return SPANS_PER_ROUND;
            },
          },
          {
            name: 'sqliteStore, 3.9 layout',
            round: () => viaStore(store, exp, nextStore()),
          },
          {
            name: 'raw better-sqlite3, 3.17 layout (encode + insert, 1 tx)',
            round: () => {
              const r = nextRaw317();
              writeRaw317(r, r.spans.map(spanToMlflowJson));
              return SPANS_PER_ROUND;
            },
          },
          {
            name: 'sqliteStore, 3.17 layout',
            round: () => viaStore(store317, exp317, nextStore317()),
          },
          {
            name: 'raw better-sqlite3, 3.9 layout (pre-encoded content)',
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
      await store317.close();
      rawDb.close();
      rawDb317.close();

      const [raw, ours, raw317, ours317, pre] = results as [
        (typeof results)[0],
        (typeof results)[0],
        (typeof results)[0],
        (typeof results)[0],
        (typeof results)[0],
      ];
      const perSecond = (ns: number) => Math.round(1e9 / ns);
      return {
        results,
        figures: {
          'sqliteStore 3.9 spans/s': perSecond(ours.medianNsPerOp),
          'raw 3.9 (encode + insert) spans/s': perSecond(raw.medianNsPerOp),
          'sqliteStore 3.17 spans/s': perSecond(ours317.medianNsPerOp),
          'raw 3.17 (encode + insert) spans/s': perSecond(raw317.medianNsPerOp),
          'raw 3.9 (pre-encoded) spans/s': perSecond(pre.medianNsPerOp),
          '3.9 layout: sqliteStore throughput as % of raw (encode + insert)':
            (100 * raw.medianNsPerOp) / ours.medianNsPerOp,
          '3.17 layout: sqliteStore throughput as % of raw (encode + insert)':
            (100 * raw317.medianNsPerOp) / ours317.medianNsPerOp,
          '3.9 layout: sqliteStore throughput as % of raw (pre-encoded)':
            (100 * pre.medianNsPerOp) / ours.medianNsPerOp,
        },
        notes: [
          'target: ≥ 60 % of raw (encode + insert), in both layouts',
          `round = ${TRACES_PER_ROUND} traces × ${SPANS_PER_TRACE} spans; the store writes spans in one transaction and each trace info in its own, as the span pipeline calls it`,
          'files: MLflow 3.9.0 and 3.17.2 schemas (same indexes per pair), WAL, synchronous NORMAL (the store default)',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
