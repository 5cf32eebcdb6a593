import { resolve } from 'node:path';
import { createTracker } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { printHowToOpen, printRunTraces } from './lib/report.js';
import { buildPipeline } from './quickstart-pipeline.js';

/** Example 1: manual tracing of a small function pipeline, inside a run with params and metrics. */
const dbPath = resolve(process.env.GRAPHTRACE_DB ?? 'mlflow.db');
const store = sqliteStore({ path: dbPath });
const tracker = createTracker({ store, experimentName: 'graphtrace-quickstart' });
const ask = buildPipeline(tracker);

const run = await tracker.withRun(
  async (run) => {
    const result = await ask('Where does graphtrace write traces?');
    console.log(`answer: ${result.text} (grounded: ${result.grounded})\n`);
    await tracker.logMetrics({ grounded: result.grounded ? 1 : 0 }, { step: 0 });
    return run;
  },
  { runName: 'quickstart', params: { model: 'scripted', top_k: 3 } },
);
await printRunTraces(tracker, run.runId);
printHowToOpen(dbPath);
await tracker.shutdown();
await store.close();
