import { resolve } from 'node:path';
import { autolog } from '@graphtrace/autolog-langgraph';
import { createTracker, TraceMetadataKey } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { HumanMessage } from '@langchain/core/messages';
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { chatModel, toolResults } from './lib/model.js';
import { printAgentMetrics, printHowToOpen, printRunTraces } from './lib/report.js';
import { calculatorTool, searchDocsTool } from './lib/tools.js';

/**
 * Example 3: a supervisor routing each turn to one of two sub-agents (each a LangGraph subgraph),
 * over a conversation of several turns kept by a checkpointer: one trace per turn, all in the
 * same session (`mlflow.trace.session` = the thread id).
 */
const dbPath = resolve(process.env.GRAPHTRACE_DB ?? 'mlflow.db');
const store = sqliteStore({ path: dbPath });
const tracker = createTracker({ store, experimentName: 'graphtrace-supervisor' });
const tracing = autolog({ tracker });

const lastQuestion = (messages: { content: unknown }[]) =>
  String([...messages].reverse().find((m) => m instanceof HumanMessage)?.content ?? '');
const isMath = (q: string) => /\d\s*[-+*/×÷]\s*\d/.test(q);

// Each sub-agent's scripted model: call its tool once for the newest question, then answer.
const researcher = await chatModel((messages) => {
  const question = lastQuestion(messages);
  const afterQuestion = messages.slice(messages.findLastIndex((m) => m instanceof HumanMessage));
  const [found] = toolResults(afterQuestion);
  if (!found) return { toolCalls: [{ name: 'search_docs', args: { query: question } }] };
  return {
    content:
      (JSON.parse(found) as { text: string }[])[0]?.text ?? 'Nothing in the notes about that.',
  };
});
const mathematician = await chatModel((messages) => {
  const question = lastQuestion(messages);
  const afterQuestion = messages.slice(messages.findLastIndex((m) => m instanceof HumanMessage));
  const [result] = toolResults(afterQuestion);
  const expression = /[-\d(][\d\s.+\-*/×÷()]*\d\)?/.exec(question)?.[0]?.trim() ?? '0';
  if (!result) return { toolCalls: [{ name: 'calculator', args: { expression } }] };
  return { content: `${expression} = ${result}` };
});

const researchAgent = createReactAgent({
  llm: researcher.model,
  tools: [searchDocsTool],
  name: 'research_agent',
});
const mathAgent = createReactAgent({
  llm: mathematician.model,
  tools: [calculatorTool],
  name: 'math_agent',
});

const supervisor = new StateGraph(MessagesAnnotation)
  .addNode('supervisor', () => ({}))
  .addNode('research_agent', researchAgent)
  .addNode('math_agent', mathAgent)
  .addEdge(START, 'supervisor')
  .addConditionalEdges(
    'supervisor',
    (state) => (isMath(lastQuestion(state.messages)) ? 'math_agent' : 'research_agent'),
    ['research_agent', 'math_agent'],
  )
  .addEdge('research_agent', END)
  .addEdge('math_agent', END)
  .compile({ checkpointer: new MemorySaver(), name: 'supervisor' });

const turns = [
  'What does autolog record?',
  'What is 12 * (7 + 5)?',
  'What happens when the MLflow server is down?',
];
const thread = 'session-42';
const run = await tracker.withRun(
  async (run) => {
    for (const q of turns) {
      const result = await supervisor.invoke(
        { messages: [new HumanMessage(q)] },
        { configurable: { thread_id: thread } },
      );
      console.log(
        `user: ${q}\nagent: ${String(result.messages[result.messages.length - 1]?.content)}\n`,
      );
    }
    return run;
  },
  { runName: 'supervisor-session', params: { turns: turns.length, thread } },
);

await printRunTraces(tracker, run.runId);
const { items: traces } = await store.searchTraces({
  experimentIds: [await tracker.experimentId()],
  filter: `metadata.\`${TraceMetadataKey.SESSION}\` = '${thread}'`,
  orderBy: ['timestamp_ms ASC'],
});
console.log(`session ${thread}: ${traces.length} traces, one per turn`);
printAgentMetrics(await tracker.getRunAgentMetrics(run.runId));
printHowToOpen(dbPath);
tracing.disable();
await tracker.shutdown();
await store.close();
