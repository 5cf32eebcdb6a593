import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracker, type Span, silentLogger, type TraceInfo } from '@graphtrace/core';
import { sqliteUri, startMlflowServer } from '@graphtrace/mlflow-testkit';
import { mlflowServerStore } from '@graphtrace/store-mlflow';
import { type Benchmark, sideBySide } from '../harness.js';

const TRACES_PER_ROUND = 50;
const NS_PER_MS = 1_000_000n;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** An agent-shaped trace: agent → model (with token usage), tool → retriever. */
function makeTrace(experimentId: string): { spans: Span[]; info: TraceInfo } {
  const traceId = `tr-${hex(16)}`;
  const t0 = BigInt(Date.now()) * NS_PER_MS;
  const span = (name: string, spanType: string, parent: string | null, attributes = {}): Span => ({
    traceId,
    spanId: hex(8),
    parentSpanId: parent,
    name,
    spanType,
    startTimeUnixNano: t0,
    endTimeUnixNano: t0 + 5n * NS_PER_MS,
    status: { code: 'OK' },
    attributes,
    events: [],
  });
  const root = span('agent', 'AGENT', null, {
    'mlflow.spanInputs': { question: 'what is 6 * 7?' },
  });
  const model = span('model', 'CHAT_MODEL', root.spanId, {
    'mlflow.chat.tokenUsage': { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
  });
  const tool = span('calculator', 'TOOL', root.spanId, { 'mlflow.spanOutputs': '42' });
  const lookup = span('lookup', 'RETRIEVER', tool.spanId);
  return {
    spans: [model, lookup, tool, root],
    info: {
      traceId,
      clientRequestId: null,
      experimentId,
      requestTime: Number(t0 / NS_PER_MS),
      executionDuration: 5,
      state: 'OK',
      requestPreview: '{"question":"what is 6 * 7?"}',
      responsePreview: '"42"',
      traceMetadata: {
        'mlflow.trace_schema.version': '3',
        'mlflow.trace.tokenUsage': '{"input_tokens":12,"output_tokens":3,"total_tokens":15}',
      },
      tags: { 'mlflow.traceName': 'agent' },
    },
  };
}

/**
 * Traces per second exported to a real `mlflow server` 3.9.0 (SQLite backend, one worker, on
 * loopback): all spans of a round in one OTLP request versus one OTLP request per trace (trace
 * infos are one StartTraceV3 each either way), and the tracker's own pipeline end to end.
 */
export const benchmark: Benchmark = {
  name: 'mlflow-export',
  description: `traces/s exported to a real MLflow 3.9.0 server, ${TRACES_PER_ROUND} agent traces (4 spans) per round`,
  async run({ rounds }) {
    // The testkit's server handle never keeps the event loop alive (so tests cannot hang on it):
    // hold it open ourselves while the benchmark waits on the server.
    const keepAlive = setInterval(() => undefined, 1000);
    const dir = mkdtempSync(join(tmpdir(), 'graphtrace-bench-mlflow-'));
    const server = await startMlflowServer({
      backendStoreUri: sqliteUri(join(dir, 'mlflow.db')),
      artifactsDestination: join(dir, 'artifacts'),
    });
    const store = mlflowServerStore({ trackingUri: server.url, env: false });
    try {
      const exp = (await store.getOrCreateExperiment('bench-export')).experimentId;
      const tracker = createTracker({
        store,
        experimentId: exp,
        logger: silentLogger,
        handleExitSignals: false,
      });
      const results = await sideBySide(
        [
          {
            name: 'batched: 1 OTLP request per round + 1 StartTraceV3 per trace',
            round: async () => {
              const traces = Array.from({ length: TRACES_PER_ROUND }, () => makeTrace(exp));
              await store.logSpans(
                exp,
                traces.flatMap((t) => t.spans),
              );
              for (const t of traces) await store.startTrace(t.info);
              return TRACES_PER_ROUND;
            },
          },
          {
            name: 'one OTLP request per trace + 1 StartTraceV3 per trace',
            round: async () => {
              for (let i = 0; i < TRACES_PER_ROUND; i++) {
                const t = makeTrace(exp);
                await store.logSpans(exp, t.spans);
                await store.startTrace(t.info);
              }
              return TRACES_PER_ROUND;
            },
          },
          {
            name: 'tracker pipeline (withSpan + flushTraces)',
            round: async () => {
              for (let i = 0; i < TRACES_PER_ROUND; i++) {
                tracker.withSpan({ name: 'agent', spanType: 'AGENT' }, () => {
                  tracker.withSpan({ name: 'model', spanType: 'CHAT_MODEL' }, () => i);
                  tracker.withSpan({ name: 'calculator', spanType: 'TOOL' }, () =>
                    tracker.withSpan({ name: 'lookup', spanType: 'RETRIEVER' }, () => i),
                  );
                });
              }
              await tracker.flushTraces();
              return TRACES_PER_ROUND;
            },
          },
        ],
        rounds,
        2,
      );
      await tracker.shutdown();
      const perSecond = (ns: number) => 1e9 / ns;
      const [batched, single, pipeline] = results;
      return {
        results,
        figures: {
          'batched: traces/s': perSecond(batched!.medianNsPerOp),
          'one request per trace: traces/s': perSecond(single!.medianNsPerOp),
          'tracker pipeline: traces/s': perSecond(pipeline!.medianNsPerOp),
          'batched / one-per-trace (throughput ratio)':
            single!.medianNsPerOp / batched!.medianNsPerOp,
        },
        notes: [
          'server: mlflow server 3.9.0, --workers 1, SQLite backend, loopback; one client connection at a time',
          'StartTraceV3 has no batch form, so every variant pays one trace-info request per trace',
        ],
      };
    } finally {
      await store.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      clearInterval(keepAlive);
    }
  },
};
