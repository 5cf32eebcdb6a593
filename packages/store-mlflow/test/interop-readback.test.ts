import { createTracker, memoryLogger, type Tracker } from '@graphtrace/core';
import {
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  type MlflowServer,
  mlflowAtLeast,
  pyStr,
  runPythonJson,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MlflowServerStore, mlflowServerStore } from '../src/index.js';
import { agentStep, startSqliteServer, tempDir } from './helpers.js';

interface PyRead {
  run: {
    status: string;
    params: Record<string, string>;
    metrics: Record<string, number>;
    tags: Record<string, string>;
  };
  history: [number, number][];
  traces: {
    id: string;
    state: string;
    name: string | null;
    token_usage: Record<string, number> | null;
    cost: Record<string, number> | null;
    model_cost: Record<string, number> | null;
    spans: {
      name: string;
      type: string;
      parent: string | null;
      inputs: unknown;
      attrs_ok: boolean;
    }[];
    assessments: { name: string; value: unknown; kind: string; source: string }[];
  }[];
}

// What MLflow 3.17.2's own pricer gives for the model call of each trace, by its input tokens.
const COSTS: Record<number, Record<string, number>> = {
  1000: { input_cost: 0.00015, output_cost: 0.0003, total_cost: 0.00045 },
  1001: { input_cost: 0.00015015, output_cost: 0.0003, total_cost: 0.00045014999999999996 },
  1002: { input_cost: 0.0001503, output_cost: 0.0003, total_cost: 0.00045029999999999994 },
};

// Everything graphtrace writes through the server store, read back by MLflow's own Python client.
describeInteropVersions(
  'mlflow server store: what graphtrace writes, MLflow reads (SQLite backend)',
  ({ version }) => {
    const tmp = tempDir('readback');
    let server: MlflowServer;
    let tracker: Tracker;
    let runId = '';
    let experimentId = '';
    const traceIds: string[] = [];

    beforeAll(async () => {
      server = await startSqliteServer(tmp.dir, undefined, version);
      const logger = memoryLogger();
      tracker = createTracker({
        store: mlflowServerStore({ trackingUri: server.url, env: false }),
        experimentName: 'readback',
        logger,
        handleExitSignals: false,
      });
      const run = await tracker.startRun({
        runName: 'agent-eval',
        params: { model: 'scripted', lr: 0.01 },
      });
      runId = run.runId;
      experimentId = run.experimentId;
      for (let step = 0; step < 3; step++)
        await tracker.logMetrics({ accuracy: 0.5 + step / 10 }, { step });
      for (let i = 0; i < 3; i++) {
        await agentStep(tracker, i);
      }
      await tracker.flushTraces();
      const { items: traces } = await tracker.store.searchTraces({ experimentIds: [experimentId] });
      traceIds.push(...traces.map((t) => t.traceId));
      await tracker.logFeedback({
        traceId: traceIds[0]!,
        name: 'helpful',
        value: true,
        rationale: 'right answer',
      });
      await tracker.logExpectation({
        traceId: traceIds[0]!,
        name: 'expected',
        value: { answer: '0' },
      });
      await tracker.endRun('FINISHED');
      expect(logger.lines.filter((l) => l.level !== 'debug')).toEqual([]);
    }, INTEROP_SETUP_TIMEOUT_MS);

    afterAll(async () => {
      await tracker?.shutdown();
      await server?.stop();
      tmp.remove();
    });

    it(
      'MlflowClient reads the run, its params, metrics and history, and every trace with its spans',
      async () => {
        const out = await runPythonJson<PyRead>(
          `
import json
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=${pyStr(server.url)})
r = c.get_run(${pyStr(runId)})
hist = [[m.step, m.value] for m in c.get_metric_history(${pyStr(runId)}, "accuracy")]
traces = []
for t in c.search_traces(locations=[${pyStr(experimentId)}], max_results=100):
    full = c.get_trace(t.info.trace_id)
    by_id = {s.span_id: s for s in full.data.spans}
    spans = []
    for s in full.data.spans:
        spans.append({
            "name": s.name,
            "type": s.span_type,
            "parent": by_id[s.parent_id].name if s.parent_id else None,
            "inputs": s.inputs,
            "attrs_ok": s.get_attribute("mlflow.traceRequestId") == t.info.trace_id,
        })
    tu = full.info.token_usage
    traces.append({
        "id": t.info.trace_id,
        "state": str(t.info.state.value if hasattr(t.info.state, "value") else t.info.state),
        "name": t.info.tags.get("mlflow.traceName"),
        "token_usage": dict(tu) if tu else None,
        "cost": getattr(full.info, "cost", None),
        "model_cost": next(s for s in full.data.spans if s.name == "model").get_attribute("mlflow.llm.cost"),
        "spans": sorted(spans, key=lambda s: s["name"]),
        "assessments": [
            {"name": a.name, "value": a.value, "kind": type(a).__name__, "source": a.source.source_type}
            for a in full.info.assessments
        ],
    })
print(json.dumps({
    "run": {"status": r.info.status, "params": r.data.params, "metrics": r.data.metrics, "tags": r.data.tags},
    "history": hist,
    "traces": traces,
}, default=str))
`,
          { mlflowVersion: version },
        );
        expect(out.run.status).toBe('FINISHED');
        expect(out.run.params).toMatchObject({ model: 'scripted', lr: '0.01' });
        expect(out.run.metrics.accuracy).toBeCloseTo(0.7);
        expect(out.run.tags['mlflow.runName']).toBe('agent-eval');
        expect(out.history).toEqual([
          [0, 0.5],
          [1, 0.6],
          [2, 0.7],
        ]);
        expect(out.traces).toHaveLength(3);
        for (const t of out.traces) {
          expect(t.state).toBe('OK');
          expect(t.name).toBe('agent');
          expect(t.spans.map((s) => [s.name, s.type, s.parent])).toEqual([
            ['agent', 'AGENT', null],
            ['calculator', 'TOOL', 'agent'],
            ['lookup', 'RETRIEVER', 'calculator'],
            ['model', 'CHAT_MODEL', 'agent'],
          ]);
          expect(t.spans.every((s) => s.attrs_ok)).toBe(true);
          expect(t.token_usage?.total_tokens).toBeGreaterThanOrEqual(15);
          const usage = t.token_usage ?? { input_tokens: 0, output_tokens: 0, total_tokens: -1 };
          expect(usage.input_tokens! + usage.output_tokens!).toBe(usage.total_tokens);
          // The server keeps graphtrace's cost as it is, on the span and (3.10+) the trace.
          expect(t.model_cost).toEqual(COSTS[usage.input_tokens!]);
          expect(t.cost).toEqual(
            mlflowAtLeast(version, '3.10.0') ? COSTS[usage.input_tokens!] : null,
          );
        }
        const model = out.traces[0]!.spans.find((s) => s.name === 'model');
        expect(model?.inputs).toEqual({
          messages: [{ role: 'user', content: expect.stringMatching(/what is/) }],
        });
        const assessed = out.traces.find((t) => t.id === traceIds[0])!;
        expect(assessed.assessments.map((a) => [a.name, a.kind, a.value, a.source]).sort()).toEqual(
          [
            ['expected', 'Expectation', { answer: '0' }, 'HUMAN'],
            ['helpful', 'Feedback', true, 'HUMAN'],
          ],
        );
      },
      INTEROP_TEST_TIMEOUT_MS,
    );

    it(
      'the REST API serves the same traces, and graphtrace reads them back unchanged',
      async () => {
        const res = await fetch(`${server.url}/api/3.0/mlflow/traces/search`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            locations: [
              { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
            ],
            filter: "attributes.status = 'OK'",
          }),
        });
        const body = (await res.json()) as {
          traces: { trace_id: string; trace_metadata: Record<string, string> }[];
        };
        expect(body.traces.map((t) => t.trace_id).sort()).toEqual([...traceIds].sort());
        for (const t of body.traces) {
          expect(JSON.parse(t.trace_metadata['mlflow.trace.tokenUsage']!)).toHaveProperty(
            'total_tokens',
          );
          expect(t.trace_metadata['mlflow.trace_schema.version']).toBe('3');
        }
        const trace = await tracker.store.getTrace(traceIds[0]!);
        expect(trace?.spans.map((s) => s.name)).toEqual(['agent', 'model', 'calculator', 'lookup']);
        const model = trace?.spans.find((s) => s.name === 'model')?.attributes ?? {};
        const usage = model['mlflow.chat.tokenUsage'] as { input_tokens: number } | undefined;
        expect(usage).toMatchObject({ output_tokens: 500 });
        expect(model['mlflow.llm.cost']).toEqual(COSTS[usage?.input_tokens ?? -1]);
        expect(await tracker.store.getAssessments(traceIds[0]!)).toHaveLength(2);
      },
      INTEROP_TEST_TIMEOUT_MS,
    );

    it(
      'splits a large batch within MLflow limits and logs all of it',
      async () => {
        const store = new MlflowServerStore({ trackingUri: server.url, env: false });
        try {
          const run = await store.createRun({ experimentId });
          const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: `v${i}` }));
          const tags = Array.from({ length: 150 }, (_, i) => ({
            key: `t${i}`,
            value: 'x'.repeat(5000),
          }));
          const metrics = Array.from({ length: 2500 }, (_, i) => ({
            key: 'loss',
            value: 1 / (i + 1),
            timestamp: 1000 + i,
            step: i,
          }));
          await store.logBatch(run.info.runId, { params, tags, metrics });
          const got = await store.getRun(run.info.runId);
          expect(Object.keys(got!.data.params)).toHaveLength(250);
          expect(Object.keys(got!.data.tags).filter((k) => k.startsWith('t'))).toHaveLength(150);
          expect(await store.getMetricHistory(run.info.runId, 'loss')).toHaveLength(2500);
        } finally {
          await store.close();
        }
      },
      INTEROP_TEST_TIMEOUT_MS,
    );

    it(
      'maps server refusals to graphtrace error codes and validates filters before sending',
      async () => {
        const store = new MlflowServerStore({ trackingUri: server.url, env: false });
        try {
          await expect(
            store.updateRun('0123456789abcdef0123456789abcdef', { status: 'FINISHED' }),
          ).rejects.toMatchObject({
            code: 'NOT_FOUND',
            serverErrorCode: 'RESOURCE_DOES_NOT_EXIST',
            status: 404,
          });
          await expect(store.createRun({ experimentId: '987654' })).rejects.toMatchObject({
            code: 'NOT_FOUND',
          });
          await expect(
            store.setTraceTag('tr-00000000000000000000000000000001', 'k', 'v'),
          ).rejects.toMatchObject({
            code: 'NOT_FOUND',
          });
          const run = await store.createRun({ experimentId });
          await expect(
            store.logBatch(run.info.runId, {
              metrics: [{ key: 'bad key!?', value: 1, timestamp: 1, step: 0 }],
            }),
          ).rejects.toMatchObject({
            code: 'INVALID_ARGUMENT',
            serverErrorCode: 'INVALID_PARAMETER_VALUE',
          });
          await expect(
            store.searchTraces({
              experimentIds: [experimentId],
              filter: 'attributes.timestmp_ms > 5',
            }),
          ).rejects.toMatchObject({ code: 'INVALID_FILTER' });
        } finally {
          await store.close();
        }
      },
      INTEROP_TEST_TIMEOUT_MS,
    );

    it(
      'a span link goes to the server over OTLP and comes back, to MLflow (3.13+) and graphtrace',
      async () => {
        const linking = createTracker({
          store: mlflowServerStore({ trackingUri: server.url, env: false }),
          experimentName: 'links',
          logger: memoryLogger(),
          handleExitSignals: false,
        });
        try {
          const [firstTrace, firstSpan] = linking.withSpan({ name: 'interrupted' }, (s) => [
            s.traceId,
            s.spanId,
          ]);
          const second = linking.withSpan({ name: 'resumed' }, (s) => {
            s.addLink({ traceId: firstTrace!, spanId: firstSpan!, attributes: { kind: 'resume' } });
            return s.traceId;
          });
          await linking.flushTraces();
          const links = await runPythonJson<unknown>(
            `
import json
from mlflow import MlflowClient
span = MlflowClient(tracking_uri=${pyStr(server.url)}).get_trace(${pyStr(second)}).data.spans[0]
links = getattr(span, "links", None)
print(json.dumps(None if links is None else [l.to_dict() for l in links]))
`,
            { mlflowVersion: version },
          );
          const expected = {
            trace_id: firstTrace,
            span_id: firstSpan,
            attributes: { kind: 'resume' },
          };
          expect(links).toEqual(mlflowAtLeast(version, '3.13.0') ? [expected] : null);
          const ours = await linking.store.getTrace(second);
          expect(ours?.spans[0]?.links).toEqual(
            mlflowAtLeast(version, '3.13.0')
              ? [{ traceId: firstTrace, spanId: firstSpan, attributes: { kind: 'resume' } }]
              : undefined,
          );
        } finally {
          await linking.shutdown();
        }
      },
      INTEROP_TEST_TIMEOUT_MS,
    );
  },
);
