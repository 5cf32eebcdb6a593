import { join } from 'node:path';
import { createTracker, silentLogger } from '@graphtrace/core';
import {
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  type MlflowServer,
  pyStr,
  runPythonJson,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphtrace, json, tempDir } from './helpers/cli.js';

/** A traced agent step with a session, a user and token counts, in a run. */
async function record(path: string): Promise<{ runId: string; traceId: string }> {
  const store = sqliteStore({ path });
  const tracker = createTracker({
    store,
    experimentName: 'synced-agent',
    logger: silentLogger,
    handleExitSignals: false,
  });
  let traceId = '';
  const runId = await tracker.withRun(
    async (run) => {
      await tracker.logParams({ model: 'scripted' });
      await tracker.withSpan({ name: 'agent', spanType: 'AGENT' }, async (root) => {
        traceId = root.traceId;
        tracker.updateCurrentTrace({ session: 'thread-7', user: 'ada' });
        for (const name of ['plan', 'answer'])
          tracker.withSpan(
            {
              name,
              spanType: 'CHAT_MODEL',
              attributes: {
                'mlflow.chat.tokenUsage': { input_tokens: 8, output_tokens: 2, total_tokens: 10 },
              },
            },
            () => {},
          );
      });
      return run.runId;
    },
    { runName: 'synced' },
  );
  await tracker.shutdown();
  await store.close();
  return { runId, traceId };
}

describeInteropVersions('graphtrace sync into a real MLflow server', ({ version }) => {
  const dir = tempDir('graphtrace-cli-sync-');
  const cwd = dir.path;
  let server: MlflowServer | undefined;
  let recorded: { runId: string; traceId: string };

  beforeAll(async () => {
    recorded = await record(join(cwd, 'mlflow.db'));
    server = await startMlflowServer({
      mlflowVersion: version,
      backendStoreUri: sqliteUri(join(cwd, 'server.db')),
      artifactsDestination: join(cwd, 'server-artifacts'),
    });
  }, INTEROP_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it(
    'copies the run and the trace with its spans, tokens and session; a re-sync copies nothing',
    async () => {
      const url = server!.url;
      const first = await graphtrace(
        ['sync', '--from', 'sqlite:///mlflow.db', '--to', url, '--json'],
        {
          cwd,
        },
      );
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(json(first)).toMatchObject({
        runs: { copied: 1 },
        traces: { copied: 1 },
        skipped: [],
      });
      const view = await runPythonJson<{
        run: { name: string; params: Record<string, string> };
        spans: string[];
        tokens: Record<string, number>;
        session: string;
        user: string;
        name: string;
      }>(
        `
import json
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=${pyStr(url)})
e = c.get_experiment_by_name("synced-agent")
r = c.search_runs([e.experiment_id])[0]
t = c.get_trace(${pyStr(recorded.traceId)})
print(json.dumps({
    "run": {"name": r.info.run_name, "params": r.data.params},
    "spans": sorted(s.name for s in t.data.spans),
    "tokens": t.info.token_usage,
    "session": t.info.trace_metadata.get("mlflow.trace.session"),
    "user": t.info.trace_metadata.get("mlflow.trace.user"),
    "name": t.info.tags.get("mlflow.traceName"),
}))
`,
        { mlflowVersion: version },
      );
      expect(view).toEqual({
        run: { name: 'synced', params: { model: 'scripted' } },
        spans: ['agent', 'answer', 'plan'],
        tokens: { input_tokens: 16, output_tokens: 4, total_tokens: 20 },
        session: 'thread-7',
        user: 'ada',
        name: 'agent',
      });
      const again = await graphtrace(
        ['sync', '--from', 'sqlite:///mlflow.db', '--to', url, '--json'],
        {
          cwd,
        },
      );
      expect(json(again)).toMatchObject({
        runs: { copied: 0, existing: 1 },
        traces: { copied: 0, existing: 1 },
      });
    },
    INTEROP_SETUP_TIMEOUT_MS,
  );
});
