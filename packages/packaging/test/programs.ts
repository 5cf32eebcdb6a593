// Programs a user would write, as source text for the packed-install projects.

type Format = 'esm' | 'cjs';

const load = (format: Format, names: string, from: string) =>
  format === 'esm'
    ? `import { ${names} } from '${from}';`
    : `const { ${names} } = require('${from}');`;

/**
 * A ReAct agent (LangGraph's prebuilt, a scripted model, one tool) that asks for 40 + 2 and
 * prints the answer. `before` and `after` are the program's graphtrace lines, if any.
 */
export function agentProgram(format: Format, before = '', after = ''): string {
  const body = `
const add = tool(async ({ a, b }) => String(a + b), {
  name: 'add',
  description: 'adds two numbers',
  schema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
});
const llm = new ScriptedChatModel({
  script: (_messages, turn) =>
    turn === 0 ? { toolCalls: [{ name: 'add', args: { a: 40, b: 2 } }] } : { content: 'The sum is 42.' },
});
const agent = createReactAgent({ llm, tools: [add] });
const out = await agent.invoke({ messages: [{ role: 'user', content: 'What is 40 + 2?' }] });
${after}
console.log(JSON.stringify(out.messages.at(-1).content));`;
  return [
    load(format, 'ScriptedChatModel', '@graphtrace/autolog-langgraph/testing'),
    load(format, 'tool', '@langchain/core/tools'),
    load(format, 'createReactAgent', '@langchain/langgraph/prebuilt'),
    before,
    format === 'esm' ? body : `(async () => {${body}\n})();`,
  ].join('\n');
}

/** The agent's trace as every graph node, chain, model and tool call: [name, type, parent]. */
export const AGENT_SPANS = [
  ['LangGraph', 'AGENT', null],
  ['agent', 'CHAIN', 'LangGraph'],
  ['RunnableSequence', 'CHAIN', 'agent'],
  ['prompt', 'CHAIN', 'RunnableSequence'],
  ['ScriptedChatModel', 'CHAT_MODEL', 'RunnableSequence'],
  ['RunnableLambda', 'CHAIN', 'agent'],
  ['tools', 'CHAIN', 'LangGraph'],
  ['add', 'TOOL', 'tools'],
  ['agent', 'CHAIN', 'LangGraph'],
  ['RunnableSequence', 'CHAIN', 'agent'],
  ['prompt', 'CHAIN', 'RunnableSequence'],
  ['ScriptedChatModel', 'CHAT_MODEL', 'RunnableSequence'],
  ['RunnableLambda', 'CHAIN', 'agent'],
];

/**
 * Reads ./mlflow.db back with the packed store: the traces of experiment `packed`, the spans
 * of the first as [name, type, parent name], and its tool call's inputs and outputs.
 */
export const READ_BACK = `import { sqliteStore } from '@graphtrace/store-sqlite';
const store = sqliteStore({ path: 'mlflow.db' });
const exp = await store.getExperimentByName('packed');
const { items: traces } = await store.searchTraces({ experimentIds: [exp.experimentId] });
const { spans, info } = await store.getTrace(traces[0].traceId);
const byId = new Map(spans.map((s) => [s.spanId, s]));
const tool = spans.find((s) => s.spanType === 'TOOL');
const root = spans.find((s) => !byId.has(s.parentSpanId));
console.log(JSON.stringify({
  traces: traces.length,
  state: info.state,
  spans: spans.map((s) => [s.name, s.spanType, byId.get(s.parentSpanId)?.name ?? null]),
  tool: tool && [tool.attributes['mlflow.spanInputs'], tool.attributes['mlflow.spanOutputs']],
  graph: root.attributes['langgraph.graph']?.nodes,
  path: root.attributes['langgraph.path']?.map((p) => p.node),
}));
await store.close();
`;

/** A TypeScript program over setup, core's types and the server store; compiled by tsc. */
export const TYPED_PROGRAM = `import { setup } from '@graphtrace/setup';
import { mlflowServerStore } from '@graphtrace/store-mlflow';
import type { TrackingStore } from '@graphtrace/core';

async function main(): Promise<void> {
  const graphtrace = await setup({ config: { experiment_name: 'typed' } });
  const store: TrackingStore = graphtrace.store;
  // @ts-expect-error the packed types are real ones: a tracker is not a number
  const notANumber: number = graphtrace.tracker;
  const answer = await graphtrace.tracker.withSpan({ name: 'typed' }, async () => 42);
  await graphtrace.tracker.flushTraces();
  const experiment = await store.getExperimentByName('typed');
  const { items: traces } = await store.searchTraces({ experimentIds: [experiment!.experimentId] });
  const server = mlflowServerStore({ trackingUri: 'http://127.0.0.1:9' });
  await graphtrace.close();
  console.log(JSON.stringify({ answer, traces: traces.length, server: server.uri }));
}
void main();
`;
