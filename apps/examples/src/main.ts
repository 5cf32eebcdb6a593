import { resolve } from 'node:path';
import { createTracker, formatTraceTree } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { buildPipeline } from './quickstart-pipeline.js';

/**
 * The README's main job: a traced pipeline writing into ./mlflow.db (MLflow 3.9's own schema),
 * then its trace tree printed. It moves to the LangGraph agent as autolog lands.
 */
const dbPath = resolve(process.env.GRAPHTRACE_DB ?? 'mlflow.db');
const store = sqliteStore({ path: dbPath });
const tracker = createTracker({ store, experimentName: 'graphtrace-examples' });
const ask = buildPipeline(tracker);

await tracker.withRun(
  async () => {
    const result = await ask('Where does graphtrace write traces?');
    console.log(`answer: ${result.text} (grounded: ${result.grounded})\n`);
    await tracker.logMetrics({ answers: 1 });
  },
  { runName: 'quickstart', params: { model: 'scripted', top_k: 3 } },
);

const { traces } = await store.searchTraces({
  experimentIds: [await tracker.experimentId()],
  maxResults: 1,
});
const trace = traces[0] ? await store.getTrace(traces[0].traceId) : null;
if (trace) console.log(formatTraceTree(trace));
console.log(
  `\nwritten to ${dbPath}; open it with: mlflow ui --backend-store-uri sqlite:///${dbPath}`,
);
await tracker.shutdown();
await store.close();
