import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  type MlflowServer,
  runPython,
  runPythonJson,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphtrace, json, tempDir } from './helpers/cli.js';

const VIEW_SCRIPT = readFileSync(
  fileURLToPath(new URL('./helpers/mlflow-view.py', import.meta.url)),
  'utf8',
);

/**
 * An MLflow 2.x-style FileStore, written by the real MLflow 3.9.0 through `file://` (still
 * allowed in 3.9, with a FutureWarning we silence): two experiments and a deleted one, runs
 * with params, metric histories (NaN included), nested tag keys, a failed and a deleted run,
 * and @mlflow.trace traces, one of them failing.
 */
const MAKE_FILESTORE = `
import json, os, warnings
warnings.simplefilter("ignore")
import mlflow
from mlflow import MlflowClient

mlflow.set_tracking_uri("file://" + os.path.abspath("mlruns"))
client = MlflowClient()
mlflow.set_experiment("legacy-agent")
other = client.create_experiment("other", tags={"team": "search"})
gone = client.create_experiment("gone")

@mlflow.trace(span_type="TOOL")
def lookup(city):
    if city == "Atlantis":
        raise ValueError("no such city")
    return {"city": city, "temp": 21}

@mlflow.trace(span_type="AGENT")
def agent(question):
    with mlflow.start_span(name="llm", span_type="CHAT_MODEL") as s:
        s.set_inputs({"messages": [{"role": "user", "content": question}]})
        s.set_attribute("mlflow.chat.tokenUsage", {"input_tokens": 11, "output_tokens": 7, "total_tokens": 18})
        s.set_outputs("call lookup")
    return lookup(question.split()[-1])

runs, traces = [], []
with mlflow.start_run(run_name="baseline") as r:
    runs.append(r.info.run_id)
    mlflow.log_params({"model": "gpt-4o-mini", "lr": "0.1"})
    for step, v in enumerate([0.5, 0.7, 0.9]):
        mlflow.log_metric("accuracy", v, step=step)
    mlflow.log_metric("loss", float("nan"))
    mlflow.set_tag("nested/key", "deep")
    agent("weather in Paris")
    traces.append(mlflow.get_last_active_trace_id())
try:
    agent("weather in Atlantis")
except ValueError:
    pass
traces.append(mlflow.get_last_active_trace_id())
with mlflow.start_run(run_name="broken") as r:
    runs.append(r.info.run_id)
    mlflow.log_param("model", "other")
mlflow.MlflowClient().set_terminated(runs[-1], "FAILED")
with mlflow.start_run(run_name="doomed") as r:
    deleted = r.info.run_id
client.delete_run(deleted)
with mlflow.start_run(run_name="elsewhere", experiment_id=other) as r:
    runs.append(r.info.run_id)
    mlflow.log_metric("score", 3.0)
client.delete_experiment(gone)
print(json.dumps({"runs": runs, "traces": traces, "deleted_run": deleted, "gone": gone}))
`;

interface Made {
  runs: string[];
  traces: string[];
  deleted_run: string;
  gone: string;
}

describeInterop('import and sync against the real MLflow 3.9.0', () => {
  const dir = tempDir('graphtrace-cli-interop-');
  const cwd = dir.path;
  let made: Made;
  let server: MlflowServer | undefined;

  beforeAll(async () => {
    made = await runPythonJson<Made>(MAKE_FILESTORE, { cwd });
  }, INTEROP_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  async function mlflowView(uris: Record<string, string>, exported?: string): Promise<any> {
    const args = JSON.stringify({ uris, traces: made.traces, ...(exported ? { exported } : {}) });
    const r = await runPython(
      `import sys\nsys.argv = ["view", ${JSON.stringify(args)}]\n${VIEW_SCRIPT}`,
      { cwd },
    );
    if (r.code !== 0) throw new Error(`mlflow view failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  }

  it(
    'imports the FileStore into SQLite with ids kept; MLflow reads the same data from both; re-running imports nothing',
    async () => {
      const first = await graphtrace(
        ['import', 'mlruns', 'mlruns', '--to', 'sqlite:///mlflow.db', '--json'],
        { cwd },
      );
      expect(first.code, first.stderr).toBe(0);
      const summary = json(first);
      expect(summary).toMatchObject({
        source: 'mlruns',
        experiments: { created: 2, existing: 1 },
        runs: { copied: 3, existing: 0 },
        traces: { copied: 2, existing: 0 },
      });
      expect(summary.skipped).toEqual(
        expect.arrayContaining([
          { kind: 'run', id: made.deleted_run, reason: 'deleted', failed: false },
          { kind: 'experiment', id: made.gone, reason: 'deleted (in .trash)', failed: false },
        ]),
      );
      expect(summary.skipped.filter((k: any) => k.failed)).toEqual([]);

      const again = await graphtrace(['import', 'mlruns', 'mlruns'], { cwd });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/^runs\s+0 imported, 3 already there$/m);
      expect(again.stdout).toMatch(/^traces\s+0 imported, 2 already there$/m);

      const exported = await graphtrace(
        ['traces', 'export', ...made.traces, '--out', 'exported.jsonl'],
        { cwd },
      );
      expect(exported.code).toBe(0);

      const v = await mlflowView(
        { file: `file://${join(cwd, 'mlruns')}`, sqlite: sqliteUri(join(cwd, 'mlflow.db')) },
        join(cwd, 'exported.jsonl'),
      );
      // The reference itself holds what the script logged.
      expect(
        Object.values(v.file.runs)
          .map((r: any) => r.run_id)
          .sort(),
      ).toEqual([...made.runs].sort());
      const baseline = v.file.runs.baseline;
      expect(baseline.history.accuracy.map((h: any[]) => [h[0], h[2]])).toEqual([
        [0, 0.5],
        [1, 0.7],
        [2, 0.9],
      ]);
      expect(baseline.metrics.loss).toBe('nan');
      expect(baseline.tags['nested/key']).toBe('deep');
      expect(v.file.traces[made.traces[1]!].state).toBe('ERROR');
      // What MLflow reads from graphtrace's SQLite equals what it reads from the FileStore.
      expect(v.sqlite.experiments).toEqual(v.file.experiments);
      expect(v.sqlite.runs).toEqual(v.file.runs);
      expect(v.sqlite.traces).toEqual(v.file.traces);
      // And `traces export` is MLflow trace JSON that Trace.from_json reads back unchanged.
      for (const id of made.traces) {
        const { experiment: _e, ...fromFile } = v.file.traces[id];
        const { experiment: _x, ...fromExport } = v.exported[id];
        expect(fromExport).toEqual(fromFile);
      }
    },
    INTEROP_TEST_TIMEOUT_MS,
  );

  it(
    'syncs the SQLite store into a real MLflow server; the Python client reads it back; re-syncing copies nothing',
    async () => {
      server = await startMlflowServer({
        backendStoreUri: sqliteUri(join(cwd, 'server.db')),
        artifactsDestination: join(cwd, 'server-artifacts'),
      });
      const first = await graphtrace(
        ['sync', '--from', 'sqlite:///mlflow.db', '--to', server.url, '--json'],
        { cwd },
      );
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(json(first)).toMatchObject({
        mode: 'copy',
        runs: { copied: 3, existing: 0 },
        traces: { copied: 2, existing: 0 },
        skipped: [],
      });
      const v = await mlflowView({ file: `file://${join(cwd, 'mlruns')}`, server: server.url });
      expect(v.server.experiments).toEqual(v.file.experiments);
      // The server chose the copies' run ids: each copy names its source run in a tag, and the
      // traces' mlflow.sourceRun points at the copy.
      const newIds = new Map<string, string>();
      for (const [name, run] of Object.entries<any>(v.server.runs)) {
        const original = v.file.runs[name];
        expect(run.tags['graphtrace.sourceRunId'], name).toBe(original.run_id);
        newIds.set(original.run_id, run.run_id);
        const { run_id: _a, tags, ...rest } = run;
        const { run_id: _b, tags: originalTags, ...originalRest } = original;
        const { 'graphtrace.sourceRunId': _c, ...copiedTags } = tags;
        expect(rest, name).toEqual(originalRest);
        expect(copiedTags, name).toEqual(originalTags);
      }
      expect(Object.keys(v.server.runs).sort()).toEqual(Object.keys(v.file.runs).sort());
      for (const id of made.traces) {
        const original = structuredClone(v.file.traces[id]);
        const run = original.metadata['mlflow.sourceRun'];
        if (run !== undefined) original.metadata['mlflow.sourceRun'] = newIds.get(run);
        expect(v.server.traces[id]).toEqual(original);
      }

      const again = json(
        await graphtrace(['sync', '--from', 'sqlite:///mlflow.db', '--to', server.url, '--json'], {
          cwd,
        }),
      );
      expect(again).toMatchObject({
        runs: { copied: 0, existing: 3 },
        traces: { copied: 0, existing: 2 },
      });
    },
    INTEROP_SETUP_TIMEOUT_MS,
  );
});
