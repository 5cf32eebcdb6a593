import { resolve } from 'node:path';
import { autolog } from '@graphtrace/autolog-langgraph';
import { createTracker } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { chatModel, reactAgentScript, SCRIPTED_MODEL } from './lib/model.js';
import { printAgentMetrics, printHowToOpen, printRunTraces } from './lib/report.js';
import { calculatorTool, searchDocsTool } from './lib/tools.js';

/**
 * Example 2, the README's main job: a LangGraph ReAct agent with two tools (a calculator and a
 * search over the documents shipped in data/), traced by autolog into ./mlflow.db.
 */
const dbPath = resolve(process.env.GRAPHTRACE_DB ?? 'mlflow.db');
const store = sqliteStore({ path: dbPath });
const tracker = createTracker({
  store,
  experimentName: 'graphtrace-examples',
  // A real model is priced from MLflow's model catalog; the offline scripted model has no list
  // price, so it is given gpt-4o-mini's here to show what costs look like.
  pricing: {
    models: {
      [SCRIPTED_MODEL]: { input_per_million_tokens: 0.15, output_per_million_tokens: 0.6 },
    },
  },
});
const tracing = autolog({ tracker }); // the one line: every graph invocation becomes a trace

const { model, kind } = await chatModel(reactAgentScript);
const agent = createReactAgent({
  llm: model,
  tools: [searchDocsTool, calculatorTool],
  name: 'docs_agent',
});
const question = 'Where does graphtrace write its traces, and what is 6 × (3 + 4)?';

const run = await tracker.withRun(
  async (run) => {
    const result = await agent.invoke(
      { messages: [new HumanMessage(question)] },
      { configurable: { thread_id: 'main-example' } },
    );
    const answer = result.messages[result.messages.length - 1]?.content;
    console.log(`question: ${question}\nanswer (${kind}): ${String(answer)}\n`);
    return run;
  },
  { runName: 'react-agent', params: { model: kind, tools: 'search_docs,calculator' } },
);

await printRunTraces(tracker, run.runId);
printAgentMetrics(await tracker.getRunAgentMetrics(run.runId));
printHowToOpen(dbPath);
tracing.disable();
await tracker.shutdown();
await store.close();
