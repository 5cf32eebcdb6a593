import { run as graphtraceCli } from '@graphtrace/cli';
import { setup } from '@graphtrace/setup';
import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { chatModel, reactAgentScript } from './lib/model.js';
import { printRunTraces } from './lib/report.js';
import { calculatorTool, searchDocsTool } from './lib/tools.js';

/**
 * Example 5: the tracking URI names an MLflow server that is not there. Before the first write
 * graphtrace checks it (3 s budget; a refused connection is decided at once), warns once, and
 * records into sqlite:///mlflow.db instead. With SYNC_TO=http://host:port (a server that is up),
 * the run's traces are then copied there with `graphtrace sync`.
 */
const server = process.env.TRACKING_SERVER ?? 'http://127.0.0.1:9';
const wired = await setup({
  configFile: null,
  env: {},
  config: {
    tracking_uri: server,
    experiment_name: 'graphtrace-fallback',
    autolog_enabled: true,
    fallback: { uri: 'sqlite:///mlflow.db' },
  },
});
const { model } = await chatModel(reactAgentScript);
const agent = createReactAgent({
  llm: model,
  tools: [searchDocsTool, calculatorTool],
  name: 'docs_agent',
});
const started = Date.now();
const run = await wired.tracker.withRun(async (run) => {
  await agent.invoke({
    messages: [
      new HumanMessage('Where does graphtrace write its traces, and what is 6 × (3 + 4)?'),
    ],
  });
  return run;
});
console.log(
  `\nthe agent ran in ${Date.now() - started} ms; its run and traces are in ${wired.tracker.store.uri}:\n`,
);
await printRunTraces(wired.tracker, run.runId);
await wired.close();

const target = process.env.SYNC_TO;
if (target) {
  console.log(`copying to ${target}: graphtrace sync --from sqlite:///mlflow.db --to ${target}`);
  process.exitCode = await graphtraceCli(['sync', '--from', 'sqlite:///mlflow.db', '--to', target]);
} else {
  console.log(
    'when the server is back: graphtrace sync --from sqlite:///mlflow.db --to <server URL>',
  );
}
