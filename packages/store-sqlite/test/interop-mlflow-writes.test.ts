import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracker, silentLogger } from '@graphtrace/core';
import {
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  pyStr,
  runPythonJson,
  sqliteUri,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SqliteStore, sqliteStore } from '../src/index.js';

/** What the Python script wrote, as MLflow's own client reads it back. */
interface Written {
  experiment_id: string;
  artifact_location: string;
  run: {
    run_id: string;
    start_time: number;
    end_time: number;
    params: Record<string, string>;
    tags: Record<string, string>;
  };
  trace: {
    trace_id: string;
    state: string;
    request_time: number;
    execution_duration: number;
    spans: {
      name: string;
      span_id: string;
      parent_id: string | null;
      span_type: string;
      status: string;
      inputs: unknown;
      outputs: unknown;
      start_time_ns: string;
      end_time_ns: string;
      events: { name: string; timestamp: string }[];
    }[];
  };
}

const WRITE = (uri: string) => `
import json, mlflow
from mlflow.tracking import MlflowClient

mlflow.set_tracking_uri(${pyStr(uri)})
experiment_id = mlflow.create_experiment("mlflow-wrote")
mlflow.set_experiment(experiment_id=experiment_id)

@mlflow.trace(span_type="TOOL")
def lookup(city):
    if city == "Atlantis":
        raise ValueError("no such city")
    return {"city": city, "temp": 21}

@mlflow.trace(span_type="LLM")
def think(prompt):
    return "call lookup"

@mlflow.trace(span_type="AGENT", name="weather_agent")
def agent(question):
    think(question)
    found = lookup("Paris")
    try:
        lookup("Atlantis")
    except ValueError:
        pass
    return {"answer": found["temp"]}

with mlflow.start_run(run_name="py-run") as run:
    mlflow.log_params({"lr": "0.01", "layers": "3"})
    for step, v in enumerate([0.9, 0.5, 0.25]):
        mlflow.log_metric("loss", v, step=step, timestamp=1700000000000 + step)
    mlflow.log_metric("weird", float("nan"), step=0, timestamp=1700000000010)
    mlflow.log_metric("weird", float("inf"), step=1, timestamp=1700000000011)
    mlflow.log_metric("weird", float("-inf"), step=2, timestamp=1700000000012)
    mlflow.set_tag("team", "py")
    agent("Weather in Paris?")

# Newer releases export traces to the store asynchronously.
mlflow.flush_trace_async_logging()
c = MlflowClient()
trace_id = mlflow.get_last_active_trace_id()
t = c.get_trace(trace_id)
r = c.get_run(run.info.run_id)
exp = c.get_experiment(experiment_id)
print(json.dumps({
    "experiment_id": experiment_id,
    "artifact_location": exp.artifact_location,
    "run": {"run_id": r.info.run_id, "start_time": r.info.start_time, "end_time": r.info.end_time,
            "params": r.data.params, "tags": r.data.tags},
    "trace": {
        "trace_id": trace_id, "state": t.info.state.value, "request_time": t.info.request_time,
        "execution_duration": t.info.execution_duration,
        "spans": [{
            "name": s.name, "span_id": s.span_id, "parent_id": s.parent_id, "span_type": s.span_type,
            "status": s.status.status_code.value, "inputs": s.inputs, "outputs": s.outputs,
            "start_time_ns": str(s.start_time_ns), "end_time_ns": str(s.end_time_ns),
            "events": [{"name": e.name, "timestamp": str(e.timestamp)} for e in s.events],
        } for s in t.data.spans],
    },
}))
`;

describeInteropVersions(
  'MLflow writes a sqlite DB, graphtrace reads and writes it',
  ({ version }) => {
    let dir: string;
    let path: string;
    let written: Written;
    let store: SqliteStore;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'interop-reads-'));
      path = join(dir, 'mlflow.db');
      written = await runPythonJson<Written>(WRITE(sqliteUri(path)), {
        cwd: dir,
        mlflowVersion: version,
      });
      store = sqliteStore({ path });
    }, INTEROP_SETUP_TIMEOUT_MS);

    afterAll(async () => {
      await store?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('reads the experiment and the run with its params, tags and latest metrics', async () => {
      const exp = await store.getExperimentByName('mlflow-wrote');
      expect(exp).toMatchObject({
        experimentId: written.experiment_id,
        artifactLocation: written.artifact_location,
        lifecycleStage: 'active',
      });
      const { items: runs } = await store.searchRuns({ experimentIds: [written.experiment_id] });
      expect(runs).toHaveLength(1);
      const run = runs[0]!;
      expect(run.info).toMatchObject({
        runId: written.run.run_id,
        runName: 'py-run',
        status: 'FINISHED',
        startTime: written.run.start_time,
        endTime: written.run.end_time,
        experimentId: written.experiment_id,
      });
      expect(run.data.params).toEqual(written.run.params);
      expect(run.data.tags).toEqual(written.run.tags);
      const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
      expect(latest).toEqual({ loss: 0.25, weird: Number.NEGATIVE_INFINITY });
      const found = await store.searchRuns({
        experimentIds: [written.experiment_id],
        filter: "params.lr = '0.01' AND tags.team = 'py' AND metrics.loss < 0.3",
      });
      expect(found.items.map((r) => r.info.runId)).toEqual([written.run.run_id]);
    });

    it('reads the metric history, NaN and ±Infinity included', async () => {
      const loss = await store.getMetricHistory(written.run.run_id, 'loss');
      expect(loss.map((m) => [m.step, m.timestamp, m.value])).toEqual([
        [0, 1_700_000_000_000, 0.9],
        [1, 1_700_000_000_001, 0.5],
        [2, 1_700_000_000_002, 0.25],
      ]);
      const weird = (await store.getMetricHistory(written.run.run_id, 'weird')).map((m) => m.value);
      expect(weird[0]).toBeNaN();
      expect(weird.slice(1)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    });

    it('finds the trace by run and status and reads its info', async () => {
      const { items: traces } = await store.searchTraces({
        experimentIds: [written.experiment_id],
        filter: `attributes.run_id = '${written.run.run_id}' AND attributes.status = 'OK' AND attributes.name = 'weather_agent'`,
      });
      expect(traces.map((t) => t.traceId)).toEqual([written.trace.trace_id]);
      expect(traces[0]).toMatchObject({
        state: written.trace.state,
        requestTime: written.trace.request_time,
        executionDuration: written.trace.execution_duration,
      });
      expect(traces[0]!.tags['mlflow.traceName']).toBe('weather_agent');
      expect(traces[0]!.traceMetadata['mlflow.sourceRun']).toBe(written.run.run_id);
    });

    it('reads every span as MLflow does: names, parents, types, status, inputs and outputs', async () => {
      const trace = await store.getTrace(written.trace.trace_id);
      expect(trace?.spans).toHaveLength(written.trace.spans.length);
      const ours = new Map(trace!.spans.map((s) => [s.spanId, s]));
      for (const theirs of written.trace.spans) {
        const s = ours.get(theirs.span_id);
        expect(s, theirs.name).toBeDefined();
        expect({
          name: s!.name,
          parent: s!.parentSpanId,
          type: s!.spanType,
          status: s!.status.code,
          inputs: s!.attributes['mlflow.spanInputs'],
          outputs: s!.attributes['mlflow.spanOutputs'],
          start: String(s!.startTimeUnixNano),
          end: String(s!.endTimeUnixNano),
        }).toEqual({
          name: theirs.name,
          parent: theirs.parent_id,
          type: theirs.span_type,
          status: theirs.status,
          inputs: theirs.inputs,
          outputs: theirs.outputs ?? undefined,
          start: theirs.start_time_ns,
          end: theirs.end_time_ns,
        });
      }
      const failed = trace!.spans.filter((s) => s.status.code === 'ERROR');
      expect(failed.map((s) => s.name)).toEqual(['lookup']);
      expect(failed[0]!.status.message).toContain('no such city');
      // MLflow's SDK wrote the exception time in µs; we read it in ns, inside the span.
      const exception = failed[0]!.events.find((e) => e.name === 'exception')!;
      expect(exception.timeUnixNano).toBeGreaterThanOrEqual(failed[0]!.startTimeUnixNano - 1000n);
      expect(exception.timeUnixNano).toBeLessThanOrEqual(failed[0]!.endTimeUnixNano! + 1000n);
      expect(exception.attributes['exception.message']).toBe('no such city');
    });

    it(
      'writes into MLflow’s own DB in its layout, and MLflow reads that back',
      async () => {
        const tracker = createTracker({
          store,
          experimentId: written.experiment_id,
          logger: silentLogger,
          handleExitSignals: false,
        });
        let traceId = '';
        await tracker.withSpan({ name: 'graphtrace_agent', spanType: 'AGENT' }, async (root) => {
          traceId = root.traceId;
          tracker.updateCurrentTrace({ session: 'gt-session', user: 'bob' });
          tracker.withSpan(
            {
              name: 'llm',
              spanType: 'CHAT_MODEL',
              attributes: {
                'mlflow.chat.tokenUsage': { input_tokens: 7, output_tokens: 2, total_tokens: 9 },
              },
            },
            () => {},
          );
        });
        await tracker.flushTraces();
        await tracker.logFeedback({
          traceId,
          name: 'correct',
          value: 1,
          source: { sourceType: 'CODE', sourceId: 'check' },
        });
        const back = await runPythonJson<{
          name: string;
          session: string;
          user: string;
          tokens: Record<string, number>;
          spans: string[];
          feedback: { name: string; value: unknown }[];
          found: string[];
        }>(
          `
import json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=${pyStr(sqliteUri(path))})
t = c.get_trace(${pyStr(traceId)})
found = c.search_traces(experiment_ids=[${pyStr(written.experiment_id)}],
                        filter_string="metadata.\`mlflow.trace.session\` = 'gt-session'")
print(json.dumps({
    "name": t.info.tags.get("mlflow.traceName"),
    "session": t.info.trace_metadata.get("mlflow.trace.session"),
    "user": t.info.trace_metadata.get("mlflow.trace.user"),
    "tokens": t.info.token_usage,
    "spans": sorted(s.name for s in t.data.spans),
    "feedback": [{"name": a.name, "value": a.value} for a in t.info.assessments],
    "found": [f.info.trace_id for f in found],
}))
`,
          { cwd: dir, mlflowVersion: version },
        );
        expect(back).toEqual({
          name: 'graphtrace_agent',
          session: 'gt-session',
          user: 'bob',
          tokens: { input_tokens: 7, output_tokens: 2, total_tokens: 9 },
          spans: ['graphtrace_agent', 'llm'],
          feedback: [{ name: 'correct', value: 1 }],
          found: [traceId],
        });
      },
      INTEROP_TEST_TIMEOUT_MS,
    );
  },
);
