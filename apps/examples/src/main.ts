import { createTracker, formatTraceTree, memoryStore } from '@graphtrace/core';
import { buildPipeline } from './quickstart-pipeline.js';

/**
 * The README's main job. For now it traces the quickstart pipeline into an in-memory store and
 * prints the trace tree; it moves to the LangGraph agent and ./mlflow.db as those land.
 */
const store = memoryStore();
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

const { traces } = await store.searchTraces({ experimentIds: [await tracker.experimentId()] });
for (const info of traces) {
  const trace = await store.getTrace(info.traceId);
  if (trace) console.log(formatTraceTree(trace));
}
await tracker.shutdown();
