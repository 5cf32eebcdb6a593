import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  flushTraces,
  getTracingContextHeadersForHttpRequest,
  init,
  withSpan,
} from '@graphtrace/core';
import {
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  pyStr,
  runPythonJson,
  sqliteUri,
} from '@graphtrace/mlflow-testkit';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import '../src/index.js';

// Two processes on loopback, one SQLite file: an agent calls a tool service over HTTP, both
// traced by graphtrace; MLflow's own Python client reads back one trace.
describeInterop('distributed tracing across two processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphtrace-distributed-'));
  const path = join(dir, 'mlflow.db');
  let service: ChildProcess;
  let url: string;
  let experimentId: string;

  beforeAll(async () => {
    const store = sqliteStore({ path });
    experimentId = (await store.getOrCreateExperiment('distributed')).experimentId;
    await store.close();
    service = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'tool-service.mjs')], {
      env: { ...process.env, TOOL_DB_URI: sqliteUri(path), TOOL_EXPERIMENT_ID: experimentId },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<string>((resolve, reject) => {
      service.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      service.once('exit', (code) => reject(new Error(`the tool service exited with ${code}`)));
    });
    url = `http://127.0.0.1:${port}/lookup`;
  }, INTEROP_SETUP_TIMEOUT_MS);

  afterAll(() => {
    service?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it("one MLflow trace: the service's spans under the agent's calling span", async () => {
    const tracker = init({ trackingUri: sqliteUri(path), experimentId });
    const traceId = await withSpan({ name: 'agent', spanType: 'AGENT' }, async (agent) => {
      await withSpan({ name: 'call-tool', spanType: 'TOOL' }, async () => {
        const res = await fetch(url, { headers: getTracingContextHeadersForHttpRequest() });
        return res.json();
      });
      return agent.traceId;
    });
    await flushTraces();
    await tracker.store.close();

    const read = await runPythonJson<{ state: string; spans: [string, string | null][] }>(`
import json
from mlflow import MlflowClient
t = MlflowClient(tracking_uri=${pyStr(sqliteUri(path))}).get_trace(${pyStr(traceId)})
names = {s.span_id: s.name for s in t.data.spans}
print(json.dumps({
  "state": str(t.info.state),
  "spans": sorted([s.name, names.get(s.parent_id)] for s in t.data.spans),
}))
`);
    expect(read).toEqual({
      state: 'OK',
      spans: [
        ['agent', null],
        ['call-tool', 'agent'],
        ['lookup', 'tool-service'],
        ['tool-service', 'call-tool'],
      ],
    });
  });
});
