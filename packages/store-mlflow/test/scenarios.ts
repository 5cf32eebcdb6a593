import {
  createTracker,
  memoryLogger,
  memoryStore,
  resilientStore,
  syncSpool,
  type TrackingStore,
} from '@graphtrace/core';
import { type MlflowServer, pyStr, runPythonJson } from '@graphtrace/mlflow-testkit';
import { expect } from 'vitest';
import { mlflowServerStore } from '../src/index.js';
import { agentStep } from './helpers.js';

/** Counts traces and spans of one experiment with MLflow's Python client. */
export async function pythonCounts(url: string, experimentName: string, mlflowVersion?: string) {
  return runPythonJson<{
    traces: number;
    unique: number;
    spans: number[];
    spanIdsUnique: boolean;
    states: string[];
  }>(
    `
import json
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=${pyStr(url)})
e = c.get_experiment_by_name(${pyStr(experimentName)})
ids, spans, span_ids, states, token = [], [], [], set(), None
while True:
    page = c.search_traces(locations=[e.experiment_id], max_results=500, page_token=token, include_spans=False)
    ids += [t.info.trace_id for t in page]
    token = page.token
    if not token:
        break
for tid in ids:
    t = c.get_trace(tid)
    spans.append(len(t.data.spans))
    span_ids += [s.span_id for s in t.data.spans]
    states.add(str(t.info.state))
print(json.dumps({"traces": len(ids), "unique": len(set(ids)), "spans": spans,
                  "spanIdsUnique": len(span_ids) == len(set(span_ids)), "states": sorted(states)}))
`,
    mlflowVersion ? { mlflowVersion } : {},
  );
}

/** Writes `total` agent traces, calling `at[i]` before trace i (to stop or start a server). */
export async function agentLoop(
  store: TrackingStore,
  experimentName: string,
  total: number,
  at: Record<number, () => Promise<void> | void> = {},
) {
  const logger = memoryLogger();
  const tracker = createTracker({
    store,
    experimentName,
    logger,
    handleExitSignals: false,
    pipeline: { scheduleDelayMs: 5 },
  });
  // As a program that starts a run first would: the experiment is known before the loop.
  await tracker.experimentId();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const hook = at[i];
    if (hook) pending.push(Promise.resolve(hook()));
    await agentStep(tracker, i);
    // Let the pipeline export as the loop goes, as a real agent's awaits would.
    if (i % 5 === 0) await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(pending);
  await tracker.flushTraces();
  return { tracker, logger };
}

/**
 * An agent loop writes 200 traces through resilientStore(server store, spool); the server stops
 * after trace 60 and comes back (same backend, same port) at trace 120; then a sync. MLflow's
 * Python client must count exactly 200 complete traces.
 */
export async function outageScenario(
  current: () => MlflowServer,
  restart: () => Promise<MlflowServer>,
  experimentName: string,
  mlflowVersion?: string,
): Promise<void> {
  const url = current().url;
  const primary = mlflowServerStore({
    trackingUri: url,
    env: false,
    retries: 2,
    retryBaseDelayMs: 50,
  });
  const spool = memoryStore();
  const logger = memoryLogger();
  const store = resilientStore({
    primary,
    spool,
    fallback: () => memoryStore(),
    logger,
    drainIntervalMs: 300,
  });
  let runsRefused: unknown;
  let stopped: Promise<void> = Promise.resolve();
  const { tracker } = await agentLoop(store, experimentName, 200, {
    60: () => {
      stopped = current().stop();
    },
    120: async () => {
      await stopped;
      // While the server is away: runs are not spooled and say so.
      runsRefused = await store.createRun({ experimentId: '0' }).catch((e: unknown) => e);
      await restart();
    },
  });
  expect(tracker.stats()).toMatchObject({ droppedTraces: 0, droppedSpans: 0 });
  expect(runsRefused).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  const warns = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  expect(warns).toHaveLength(1);
  expect(warns[0]).toMatch(/stopped answering/);
  expect(store.status().spooledWrites).toBeGreaterThan(0);

  // Whatever the background drain has not moved yet, an explicit sync moves now.
  const synced = await syncSpool({ from: spool, to: primary });
  expect(synced.failed).toEqual([]);
  expect(store.status().drainedTraces + synced.traces).toBeGreaterThan(0);
  const again = await syncSpool({ from: spool, to: primary });
  expect(again.traces).toBe(0);

  const counts = await pythonCounts(url, experimentName, mlflowVersion);
  expect(counts.traces).toBe(200);
  expect(counts.unique).toBe(200);
  expect(counts.spans.every((n) => n === 4)).toBe(true);
  expect(counts.spanIdsUnique).toBe(true);
  expect(counts.states).toEqual(['OK']);
  await tracker.shutdown();
  await store.close();
}
