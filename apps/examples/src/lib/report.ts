import {
  type AgentMetrics,
  formatTraceTree,
  formatUsd,
  TraceMetadataKey,
  type Tracker,
} from '@graphtrace/core';

/** Prints the trace trees of a run, newest last, as the examples show them. */
export async function printRunTraces(tracker: Tracker, runId: string): Promise<string[]> {
  await tracker.flushTraces();
  const { items: traces } = await tracker.store.searchTraces({
    experimentIds: [await tracker.experimentId()],
    filter: `metadata.\`${TraceMetadataKey.SOURCE_RUN}\` = '${runId}'`,
    orderBy: ['timestamp_ms ASC'],
    maxResults: 100,
  });
  for (const info of traces) {
    const trace = await tracker.store.getTrace(info.traceId);
    if (trace) console.log(`${formatTraceTree(trace)}\n`);
  }
  return traces.map((t) => t.traceId);
}

export function printAgentMetrics(m: AgentMetrics): void {
  console.log('agent metrics of the run:');
  console.log(`  traces ${m.traces} (errors ${m.errorTraces}), spans ${m.spans}`);
  console.log(
    `  LLM calls ${m.llmCalls}, tool calls ${m.toolCalls} (errors ${m.toolErrors}), retriever calls ${m.retrieverCalls}`,
  );
  console.log(`  tokens in ${m.tokens.input} / out ${m.tokens.output} / total ${m.tokens.total}`);
  if (m.pricedTraces > 0)
    console.log(
      `  cost ${formatUsd(m.cost.total)} (in ${formatUsd(m.cost.input)} / out ${formatUsd(m.cost.output)}) over ${m.pricedTraces} priced trace(s)`,
    );
  console.log(`  latency p50 ${m.latencyMs.p50} ms, p95 ${m.latencyMs.p95} ms`);
}

export function printHowToOpen(dbPath: string): void {
  console.log(`\nwritten to ${dbPath}; look at it with either:`);
  console.log(`  graphtrace ui --tracking-uri sqlite:///${dbPath}`);
  console.log('    (in this repository: npm run graphtrace -- ui --tracking-uri …)');
  console.log(`  mlflow ui --backend-store-uri sqlite:///${dbPath}`);
  console.log(
    "    (MLflow's own UI, any release from 3.9.0 to 3.17: pip install 'mlflow>=3.9,<3.18';",
  );
  console.log('     a release newer than 3.9 upgrades the file to its schema on first use)');
}
