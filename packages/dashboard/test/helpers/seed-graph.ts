import { autolog } from '@graphtrace/autolog-langgraph';
import { ScriptedChatModel } from '@graphtrace/autolog-langgraph/testing';
import { createTracker, silentLogger, type TrackingStore } from '@graphtrace/core';
import { HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import {
  Command,
  END,
  interrupt,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';

/*
 * A supervisor graph recorded by the real autolog: `route` sends a math question to
 * `math_agent` (a ReAct subgraph added as a node: agent → tools → agent), not to `chat`; then
 * `review` asks a human (an interrupt), and a second invocation resumes it. Two traces of
 * session `ticket-9`: the paused one and the resumed one.
 */

export const GRAPH_EXPERIMENT = 'supervisor-graph';
export const GRAPH_SESSION = 'ticket-9';

export interface SeededGraph {
  experimentId: string;
  pausedTraceId: string;
  resumedTraceId: string;
  /** A trace of the same experiment written by hand, with no graph. */
  plainTraceId: string;
}

export async function seedGraph(store: TrackingStore): Promise<SeededGraph> {
  const tracker = createTracker({
    store,
    experimentName: GRAPH_EXPERIMENT,
    logger: silentLogger,
    handleExitSignals: false,
  });
  const add = tool(async ({ a, b }) => String(a + b), {
    name: 'add',
    description: 'adds two numbers',
    schema: z.object({ a: z.number(), b: z.number() }),
  });
  const mathAgent = createReactAgent({
    llm: new ScriptedChatModel({
      script: [{ toolCalls: [{ name: 'add', args: { a: 40, b: 2 } }] }, { content: '42' }],
    }),
    tools: [add],
    name: 'math_agent',
  });
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('route', () => ({}))
    .addNode('math_agent', mathAgent)
    .addNode('chat', () => ({}))
    .addNode('review', () => {
      interrupt('approve the answer?');
      return {};
    })
    .addEdge(START, 'route')
    .addConditionalEdges('route', () => 'math_agent', ['math_agent', 'chat'])
    .addEdge('math_agent', 'review')
    .addEdge('chat', 'review')
    .addEdge('review', END)
    .compile({ name: 'supervisor', checkpointer: new MemorySaver() });

  const handle = autolog(tracker, { checkReachability: false });
  try {
    const config = { configurable: { thread_id: GRAPH_SESSION } };
    await graph.invoke({ messages: [new HumanMessage('What is 40 + 2?')] }, config);
    await graph.invoke(new Command({ resume: 'yes' }), config);
    await handle.flush();
  } finally {
    handle.disable();
  }
  const plainTraceId = await tracker.withSpan({ name: 'by_hand' }, (span) => span.traceId);
  await tracker.flushTraces();
  const experimentId = await tracker.experimentId();
  const { items: traces } = await store.searchTraces({
    experimentIds: [experimentId],
    filter: "name = 'supervisor'",
  });
  // Both can start within one millisecond: tell them apart by what autolog recorded.
  const resumed = traces.find((t) => t.traceMetadata['langgraph.resumed'] === 'true');
  const paused = traces.find((t) => t.traceMetadata['langgraph.interrupted'] === 'true');
  if (traces.length !== 2 || !paused || !resumed)
    throw new Error(`expected a paused and a resumed trace, found ${traces.length} traces`);
  return {
    experimentId,
    pausedTraceId: paused.traceId,
    resumedTraceId: resumed.traceId,
    plainTraceId,
  };
}
