import { fileURLToPath } from 'node:url';
import { loadConfig } from '@graphtrace/config';
import { setup } from '@graphtrace/setup';
import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { chatModel, reactAgentScript } from './lib/model.js';
import { printAgentMetrics, printRunTraces } from './lib/report.js';
import { calculatorTool, searchDocsTool } from './lib/tools.js';

/**
 * Example 4: the same agent configured by a YAML file in the old (MLflow 2.9 era) format. The
 * file is migrated in memory, each change reported as a warning; nothing is rewritten.
 * `graphtrace config migrate <file> --write` would rewrite it for good.
 */
const file =
  process.argv[2] ?? fileURLToPath(new URL('../data/legacy-config.yaml', import.meta.url));
const loaded = loadConfig(file, { env: process.env, cwd: process.cwd() });
for (const w of loaded.warnings) console.log(`warning: ${w.message}`);
for (const n of loaded.notes) console.log(`note: ${n}`);
if (!loaded.config) {
  for (const e of loaded.errors) console.error(`error: ${e.message}`);
  process.exit(2);
}
const mlflow = loaded.config.observability.mlflow;
console.log(
  `\neffective: tracking_uri=${mlflow.tracking_uri} experiment=${mlflow.experiment_name} autolog=${mlflow.autolog_enabled} tags=${JSON.stringify(mlflow.tags)}\n`,
);

// The effective values shown above, as they are: nothing is read or reported twice.
const wired = await setup({ configFile: null, env: {}, config: mlflow });
const { model } = await chatModel(reactAgentScript);
const agent = createReactAgent({
  llm: model,
  tools: [searchDocsTool, calculatorTool],
  name: 'docs_agent',
});
const run = await wired.tracker.withRun(async (run) => {
  await agent.invoke({
    messages: [
      new HumanMessage('Where does graphtrace write its traces, and what is 6 × (3 + 4)?'),
    ],
  });
  return run;
});
await printRunTraces(wired.tracker, run.runId);
printAgentMetrics(await wired.tracker.getRunAgentMetrics(run.runId));
await wired.close();
