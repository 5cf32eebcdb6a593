import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracker, type Feedback, silentLogger } from '@graphtrace/core';
import {
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  MLFLOW_OLDEST,
  mlflowAtLeast,
  mlflowDbUpgrade,
  pyStr,
  runPythonJson,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';

/** Messages MLflow logs when it creates tables or migrates; none may appear on our DB. */
const MIGRATION_MESSAGES = [/Running upgrade/, /Creating initial MLflow database tables/];

/** Python's view of what graphtrace wrote (floats that JSON cannot hold come as strings). */
interface MlflowView {
  experiment: {
    experiment_id: string;
    name: string;
    artifact_location: string;
    lifecycle_stage: string;
  };
  runs: {
    run_id: string;
    run_name: string;
    status: string;
    artifact_uri: string;
    user_id: string;
    params: Record<string, string>;
    metrics: Record<string, number | string>;
    tags: Record<string, string>;
  }[];
  history: Record<string, [number, number, number | string][]>;
  searched: { trace_id: string; spans: number }[];
  second: {
    tags: Record<string, string>;
    trace_metadata: Record<string, string>;
    token_usage: Record<string, number> | null;
    cost: Record<string, number> | null;
    spans: { name: string; attributes: Record<string, unknown> }[];
  };
  /** MLflow's own GenAI overview figures (query_trace_metrics); null where the release has none. */
  overview: {
    tokens_by_name: Record<string, number>;
    sessions: number | null;
    cost_by_model: Record<string, number> | null;
    trace_count: number;
  };
  trace: {
    info: {
      trace_id: string;
      state: string;
      request_time: number;
      execution_duration: number;
      tags: Record<string, string>;
      trace_metadata: Record<string, string>;
      token_usage: Record<string, number> | null;
      request_preview: string | null;
      response_preview: string | null;
    };
    spans: {
      name: string;
      span_id: string;
      parent_id: string | null;
      span_type: string;
      status: string;
      inputs: unknown;
      outputs: unknown;
      start_time_ns: number;
      events: string[];
    }[];
    assessments: {
      name: string;
      kind: string;
      value: unknown;
      rationale: string | null;
      source_type: string;
      source_id: string;
      span_id: string | null;
      run_id: string | null;
    }[];
  };
}

const READ_BACK = (uri: string, traceId: string, secondId: string) => `
import json, math
from mlflow.tracking import MlflowClient
from mlflow.tracing import constant as C
from mlflow.entities.trace_metrics import MetricViewType, MetricAggregation, AggregationType
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

def num(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v

c = MlflowClient(tracking_uri=${pyStr(uri)})
exp = c.get_experiment_by_name("interop-agent")
runs = c.search_runs([exp.experiment_id])
run_id = runs[0].info.run_id
history = {k: [[m.step, m.timestamp, num(m.value)] for m in c.get_metric_history(run_id, k)]
           for k in ["loss", "weird"]}
searched = c.search_traces(experiment_ids=[exp.experiment_id])
t = c.get_trace(${pyStr(traceId)})
info = t.info
second = c.get_trace(${pyStr(secondId)})

store = SqlAlchemyStore(${pyStr(uri)}, "/tmp")
SUM = [MetricAggregation(AggregationType.SUM)]
def metric(view, name, dims=None, aggs=SUM):
    points = store.query_trace_metrics([exp.experiment_id], view, name, aggs, dimensions=dims)
    return points
tokens_by_name = {p.dimensions.get("trace_name", ""): p.values["SUM"]
                  for p in metric(MetricViewType.TRACES, "total_tokens", ["trace_name"])}
trace_count = sum(p.values["COUNT"] for p in metric(
    MetricViewType.TRACES, "trace_count", None, [MetricAggregation(AggregationType.COUNT)]))
sessions = None
if hasattr(C.TraceMetricKey, "SESSION_COUNT"):
    sessions = sum(p.values["COUNT"] for p in metric(
        MetricViewType.TRACES, "session_count", None, [MetricAggregation(AggregationType.COUNT)]))
cost_by_model = None
if hasattr(C.SpanMetricKey, "TOTAL_COST"):
    cost_by_model = {p.dimensions.get("span_model_name", ""): p.values["SUM"]
                     for p in metric(MetricViewType.SPANS, "total_cost", ["span_model_name"])}

def kind(a):
    return "feedback" if getattr(a, "feedback", None) is not None else "expectation"

print(json.dumps({
    "experiment": {"experiment_id": exp.experiment_id, "name": exp.name,
                   "artifact_location": exp.artifact_location, "lifecycle_stage": exp.lifecycle_stage},
    "runs": [{
        "run_id": r.info.run_id, "run_name": r.info.run_name, "status": r.info.status,
        "artifact_uri": r.info.artifact_uri, "user_id": r.info.user_id,
        "params": r.data.params, "metrics": {k: num(v) for k, v in r.data.metrics.items()},
        "tags": r.data.tags,
    } for r in runs],
    "history": history,
    "searched": sorted([{"trace_id": s.info.trace_id, "spans": len(s.data.spans)} for s in searched],
                       key=lambda s: s["trace_id"]),
    "second": {
        "tags": second.info.tags, "trace_metadata": second.info.trace_metadata,
        "token_usage": second.info.token_usage, "cost": getattr(second.info, "cost", None),
        "spans": [{"name": s.name, "attributes": s.attributes} for s in second.data.spans],
    },
    "overview": {"tokens_by_name": tokens_by_name, "sessions": sessions,
                 "cost_by_model": cost_by_model, "trace_count": trace_count},
    "trace": {
        "info": {
            "trace_id": info.trace_id, "state": info.state.value, "request_time": info.request_time,
            "execution_duration": info.execution_duration, "tags": info.tags,
            "trace_metadata": info.trace_metadata, "token_usage": info.token_usage,
            "request_preview": info.request_preview, "response_preview": info.response_preview,
        },
        "spans": [{
            "name": s.name, "span_id": s.span_id, "parent_id": s.parent_id, "span_type": s.span_type,
            "status": s.status.status_code.value, "inputs": s.inputs, "outputs": s.outputs,
            "start_time_ns": s.start_time_ns, "events": [e.name for e in s.events],
        } for s in t.data.spans],
        "assessments": [{
            "name": a.name, "kind": kind(a), "value": a.value, "rationale": a.rationale,
            "source_type": a.source.source_type, "source_id": a.source.source_id,
            "span_id": a.span_id, "run_id": a.run_id,
        } for a in info.assessments],
    },
}, default=str))
`;

/**
 * graphtrace writes a new file (MLflow 3.9's schema, the default); a newer MLflow upgrades it
 * (`mlflow db upgrade`), graphtrace writes on into the upgraded file in that release's layout,
 * and that MLflow's client, server and GenAI overview read both traces.
 */
describeInteropVersions('graphtrace writes a sqlite DB, MLflow reads it', ({ version }) => {
  let dir: string;
  let path: string;
  let traceId = '';
  let secondId = '';
  let runId = '';
  const spanIds: Record<string, string> = {};
  let feedback: Feedback;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'interop-writes-'));
    path = join(dir, 'mlflow.db');
    const store = sqliteStore({ path });
    const tracker = createTracker({
      store,
      experimentName: 'interop-agent',
      logger: silentLogger,
      handleExitSignals: false,
    });
    const calculator = tracker.trace(
      function calculator(a: number, b: number) {
        return a * b;
      },
      { spanType: 'TOOL' },
    );
    await tracker.withRun(
      async (run) => {
        runId = run.runId;
        await tracker.logParams({ model: 'scripted-llm', temperature: 0.2 });
        await tracker.setTags({ env: 'interop' });
        for (const [step, loss] of [0.9, 0.5, 0.25].entries())
          await tracker.logMetrics({ loss }, { step, timestamp: 1_700_000_000_000 + step });
        await tracker.logMetric('weird', Number.NaN, { step: 0, timestamp: 1_700_000_000_010 });
        await tracker.logMetric('weird', Number.POSITIVE_INFINITY, {
          step: 1,
          timestamp: 1_700_000_000_011,
        });
        await tracker.logMetric('weird', Number.NEGATIVE_INFINITY, {
          step: 2,
          timestamp: 1_700_000_000_012,
        });

        await tracker.withSpan(
          { name: 'agent', spanType: 'AGENT', inputs: { question: 'What is 6 × 7?' } },
          async (root) => {
            traceId = root.traceId;
            spanIds.agent = root.spanId;
            tracker.updateCurrentTrace({
              session: 'thread-42',
              user: 'ada',
              tags: { env: 'interop' },
            });
            tracker.withSpan(
              {
                name: 'llm',
                spanType: 'CHAT_MODEL',
                inputs: { messages: [{ role: 'user', content: 'What is 6 × 7?' }] },
                attributes: {
                  'mlflow.chat.tokenUsage': {
                    input_tokens: 12,
                    output_tokens: 3,
                    total_tokens: 15,
                  },
                },
              },
              (span) => {
                spanIds.llm = span.spanId;
                span.setOutputs({ role: 'assistant', content: 'use the calculator' });
              },
            );
            expect(calculator(6, 7)).toBe(42);
            try {
              tracker.withSpan(
                { name: 'broken_tool', spanType: 'TOOL', inputs: { x: 0 } },
                (span) => {
                  spanIds.broken_tool = span.spanId;
                  throw new Error('division by zero');
                },
              );
            } catch {
              // the agent recovers
            }
            root.setOutputs({ answer: '42' });
          },
        );
        feedback = await tracker.logFeedback({
          traceId,
          name: 'helpful',
          value: true,
          rationale: 'answered the question',
          source: { sourceType: 'HUMAN', sourceId: 'ada' },
        });
        await tracker.logFeedback({
          traceId,
          spanId: spanIds.llm!,
          name: 'tool_choice',
          value: 0.75,
          source: { sourceType: 'LLM_JUDGE', sourceId: 'judge-v1' },
        });
      },
      { runName: 'interop-run' },
    );
    await tracker.shutdown();
    await store.close();

    if (version !== MLFLOW_OLDEST) {
      const upgrade = await mlflowDbUpgrade(sqliteUri(path), { mlflowVersion: version });
      expect(upgrade.code, upgrade.stderr).toBe(0);
    }
    // Into the (upgraded) file, in its own layout: a model call with its model, priced by
    // graphtrace (cached tokens at their own rate).
    const again = sqliteStore({ path });
    const tracker2 = createTracker({
      store: again,
      experimentName: 'interop-agent',
      logger: silentLogger,
      handleExitSignals: false,
    });
    await tracker2.withSpan({ name: 'followup', spanType: 'AGENT' }, async (root) => {
      secondId = root.traceId;
      tracker2.updateCurrentTrace({ session: 'thread-42', user: 'ada' });
      tracker2.withSpan(
        {
          name: 'llm',
          spanType: 'CHAT_MODEL',
          attributes: {
            'mlflow.chat.tokenUsage': {
              input_tokens: 1000,
              output_tokens: 500,
              total_tokens: 1500,
              cache_read_input_tokens: 400,
            },
            'mlflow.llm.model': 'gpt-4o-mini',
            'mlflow.llm.provider': 'openai',
          },
        },
        () => {},
      );
    });
    await tracker2.shutdown();
    await again.close();
  }, INTEROP_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'MlflowClient reads the experiment, the run, its metric history and the trace field by field',
    async () => {
      const view = await runPythonJson<MlflowView>(READ_BACK(sqliteUri(path), traceId, secondId), {
        cwd: dir,
        mlflowVersion: version,
      });

      expect(view.experiment).toEqual({
        experiment_id: '1',
        name: 'interop-agent',
        artifact_location: `${dir}/mlruns/1`,
        lifecycle_stage: 'active',
      });

      expect(view.runs).toHaveLength(1);
      const run = view.runs[0]!;
      expect(run).toMatchObject({
        run_id: runId,
        run_name: 'interop-run',
        status: 'FINISHED',
        artifact_uri: `${dir}/mlruns/1/${runId}/artifacts`,
        params: { model: 'scripted-llm', temperature: '0.2' },
        // MLflow reads ±Infinity back as the ±max double it is stored as.
        metrics: { loss: 0.25, weird: -1.7976931348623157e308 },
      });
      expect(run.tags).toMatchObject({
        env: 'interop',
        'mlflow.runName': 'interop-run',
        'mlflow.source.type': 'LOCAL',
      });
      expect(view.history.loss).toEqual([
        [0, 1_700_000_000_000, 0.9],
        [1, 1_700_000_000_001, 0.5],
        [2, 1_700_000_000_002, 0.25],
      ]);
      expect(view.history.weird).toEqual([
        [0, 1_700_000_000_010, 'NaN'],
        [1, 1_700_000_000_011, 1.7976931348623157e308],
        [2, 1_700_000_000_012, -1.7976931348623157e308],
      ]);

      expect(view.searched).toEqual(
        [
          { trace_id: traceId, spans: 4 },
          { trace_id: secondId, spans: 2 },
        ].sort((a, b) => a.trace_id.localeCompare(b.trace_id)),
      );
      const { info, spans, assessments } = view.trace;
      expect(info).toMatchObject({
        trace_id: traceId,
        state: 'OK',
        token_usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
      });
      expect(info.tags).toMatchObject({
        'mlflow.traceName': 'agent',
        env: 'interop',
        'mlflow.trace.spansLocation': 'TRACKING_STORE',
        'mlflow.artifactLocation': `${dir}/mlruns/1/traces/${traceId}/artifacts`,
      });
      expect(info.trace_metadata).toMatchObject({
        'mlflow.trace.session': 'thread-42',
        'mlflow.trace.user': 'ada',
        'mlflow.sourceRun': runId,
        'mlflow.trace_schema.version': '3',
      });
      expect(JSON.parse(info.trace_metadata['mlflow.trace.sizeStats']!).num_spans).toBe(4);

      const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
      expect(spans.map((s) => s.name).sort()).toEqual([
        'agent',
        'broken_tool',
        'calculator',
        'llm',
      ]);
      expect(byName.agent).toMatchObject({
        span_id: spanIds.agent,
        parent_id: null,
        span_type: 'AGENT',
        status: 'OK',
        inputs: { question: 'What is 6 × 7?' },
        outputs: { answer: '42' },
      });
      expect(byName.llm).toMatchObject({
        span_id: spanIds.llm,
        parent_id: spanIds.agent,
        span_type: 'CHAT_MODEL',
        inputs: { messages: [{ role: 'user', content: 'What is 6 × 7?' }] },
        outputs: { role: 'assistant', content: 'use the calculator' },
      });
      expect(byName.calculator).toMatchObject({
        parent_id: spanIds.agent,
        span_type: 'TOOL',
        inputs: { a: 6, b: 7 },
        outputs: 42,
      });
      expect(byName.broken_tool).toMatchObject({
        span_id: spanIds.broken_tool,
        parent_id: spanIds.agent,
        span_type: 'TOOL',
        status: 'ERROR',
        events: ['exception'],
      });
      expect(info.request_time).toBe(Math.floor(byName.agent!.start_time_ns / 1e6));

      expect(assessments).toHaveLength(2);
      expect(assessments.find((a) => a.name === 'helpful')).toEqual({
        name: 'helpful',
        kind: 'feedback',
        value: true,
        rationale: 'answered the question',
        source_type: 'HUMAN',
        source_id: 'ada',
        span_id: null,
        run_id: runId,
      });
      expect(assessments.find((a) => a.name === 'tool_choice')).toMatchObject({
        kind: 'feedback',
        value: 0.75,
        source_type: 'LLM_JUDGE',
        span_id: spanIds.llm,
      });
      expect(feedback.assessmentId).toMatch(/^a-[0-9a-f]{32}$/);

      // The trace written after the upgrade, in the file's own layout.
      expect(view.second.tags).toMatchObject({ 'mlflow.traceName': 'followup' });
      expect(view.second.trace_metadata).toMatchObject({
        'mlflow.trace.session': 'thread-42',
        'mlflow.trace.user': 'ada',
      });
      expect(view.second.token_usage).toEqual({
        input_tokens: 1000,
        output_tokens: 500,
        total_tokens: 1500,
        cache_read_input_tokens: 400,
      });
      // The figures MLflow 3.17.2's own pricer gives for this call.
      const cost = {
        input_cost: 0.00011999999999999999,
        output_cost: 0.0003,
        total_cost: 0.00041999999999999996,
      };
      expect(view.second.cost).toEqual(mlflowAtLeast(version, '3.10.0') ? cost : null);
      expect(view.second.spans.find((s) => s.name === 'llm')?.attributes).toMatchObject({
        'mlflow.llm.model': 'gpt-4o-mini',
        'mlflow.llm.provider': 'openai',
        'mlflow.llm.cost': cost,
      });
    },
    INTEROP_TEST_TIMEOUT_MS,
  );

  it(
    'MLflow’s GenAI overview counts our traces, tokens, sessions and costs as its own',
    async () => {
      const { overview } = await runPythonJson<MlflowView>(
        READ_BACK(sqliteUri(path), traceId, secondId),
        { cwd: dir, mlflowVersion: version },
      );
      expect(overview.trace_count).toBe(2);
      expect(overview.tokens_by_name).toEqual({ agent: 15, followup: 1500 });
      // Session counts arrived in 3.13, span costs in 3.10.
      expect(overview.sessions).toBe(mlflowAtLeast(version, '3.13.0') ? 1 : null);
      expect(overview.cost_by_model).toEqual(
        mlflowAtLeast(version, '3.10.0') ? { 'gpt-4o-mini': 0.00041999999999999996 } : null,
      );
    },
    INTEROP_TEST_TIMEOUT_MS,
  );

  it(
    '`mlflow server` opens the DB without migrating it and serves the trace with all its spans',
    async () => {
      const server = await startMlflowServer({
        mlflowVersion: version,
        backendStoreUri: sqliteUri(path),
        artifactsDestination: join(dir, 'artifacts'),
      });
      try {
        const res = await fetch(
          `${server.url}/api/3.0/mlflow/traces/get?trace_id=${encodeURIComponent(traceId)}`,
        );
        const body = (await res.json()) as {
          trace: {
            trace_info: { trace_id: string; state: string };
            spans: { name: string; span_id: string; parent_span_id?: string }[];
          };
        };
        expect(res.status, JSON.stringify(body).slice(0, 500)).toBe(200);
        expect(body.trace.trace_info).toMatchObject({ trace_id: traceId, state: 'OK' });
        expect(body.trace.spans.map((s) => s.name).sort()).toEqual([
          'agent',
          'broken_tool',
          'calculator',
          'llm',
        ]);
        const runRes = await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${runId}`);
        expect(runRes.status).toBe(200);
        const runBody = (await runRes.json()) as {
          run: { info: { run_name: string; status: string } };
        };
        expect(runBody.run.info).toMatchObject({ run_name: 'interop-run', status: 'FINISHED' });
        for (const re of MIGRATION_MESSAGES) expect(server.stderr()).not.toMatch(re);
      } finally {
        await server.stop();
      }
    },
    INTEROP_TEST_TIMEOUT_MS,
  );
});
