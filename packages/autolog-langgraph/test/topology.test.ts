import { HumanMessage } from '@langchain/core/messages';
import {
  Annotation,
  Command,
  END,
  interrupt,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { describe, expect, it, vi } from 'vitest';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, one, setup, tree } from './helpers.js';

const Count = Annotation.Root({
  n: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

/** a loops on itself until n reaches `until`, then fans out to b and c, which join in d. */
function loopGraph(until = 3) {
  return new StateGraph(Count)
    .addNode('a', (s) => ({ n: s.n + 1 }))
    .addNode('b', () => ({ log: ['b'] }))
    .addNode('c', () => ({ log: ['c'] }))
    .addNode('d', () => ({ log: ['d'] }))
    .addEdge(START, 'a')
    .addConditionalEdges('a', (s) => (s.n < until ? 'a' : ['b', 'c']), ['a', 'b', 'c'])
    .addEdge('b', 'd')
    .addEdge('c', 'd')
    .addEdge('d', END)
    .compile({ name: 'loop' });
}

const graphOf = (span: { attributes: Record<string, unknown> }) =>
  span.attributes['langgraph.graph'] as {
    version: string;
    nodes: string[];
    edges: { source: string; target: string; conditional?: true }[];
    truncated?: true;
  };
const pathOf = (span: { attributes: Record<string, unknown> }) =>
  span.attributes['langgraph.path'] as {
    step: number;
    node: string;
    span_id: string;
    from: string[];
  }[];

describe('graph topology and path', () => {
  it("records the graph's nodes and edges and the path with steps and triggering edges", async () => {
    const { handler, only } = setup();
    await loopGraph().invoke({}, { callbacks: [handler] });
    const { spans } = await only();
    const root = one(spans, 'loop');
    const graph = graphOf(root);
    expect(graph.nodes).toEqual(['__start__', 'a', 'b', 'c', 'd', '__end__']);
    expect(
      new Set(graph.edges.map((e) => `${e.source}>${e.target}${e.conditional ? '?' : ''}`)),
    ).toEqual(new Set(['__start__>a', 'a>a?', 'a>b?', 'a>c?', 'b>d', 'c>d', 'd>__end__']));
    expect(graph.version).toMatch(/^[0-9a-f]{12}$/);
    expect(graph.truncated).toBeUndefined();

    const path = pathOf(root);
    expect(path.map((p) => [p.step, p.node, p.from])).toEqual([
      [1, 'a', ['__start__']],
      [2, 'a', ['a']],
      [3, 'a', ['a']],
      [4, 'b', ['a']],
      [4, 'c', ['a']],
      [5, 'd', ['b', 'c']],
    ]);
    // Each step names the span of that node execution.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const p of path) expect(byId.get(p.span_id)?.name).toBe(p.node);
    // Structure, not content: recorded with prompts off too.
    expect(spans.filter((s) => s.attributes['langgraph.graph'] !== undefined)).toHaveLength(1);
  });

  it('computes the topology once per compiled graph, and each version has its own', async () => {
    const { handler, traces } = setup({ logPrompts: false });
    const graph = loopGraph();
    const getGraph = vi.spyOn(graph, 'getGraph');
    for (let i = 0; i < 3; i++) await graph.invoke({}, { callbacks: [handler] });
    await loopGraph(5).invoke({}, { callbacks: [handler] });
    expect(getGraph).toHaveBeenCalledTimes(1);
    const roots = (await traces()).map((t) => one(t.spans, 'loop'));
    expect(roots.map((r) => graphOf(r).version)).toEqual(Array(4).fill(graphOf(roots[0]!).version));
    expect(roots.map((r) => pathOf(r).length)).toEqual([6, 6, 6, 8]);

    const other = new StateGraph(Count)
      .addNode('x', () => ({}))
      .addEdge(START, 'x')
      .addEdge('x', END)
      .compile({ name: 'other' });
    await other.invoke({}, { callbacks: [handler] });
    const last = (await traces()).at(-1)!;
    expect(graphOf(one(last.spans, 'other')).version).not.toBe(graphOf(roots[0]!).version);
  });

  it('bounds the path and the topology', async () => {
    const { handler, only, traces } = setup({ logPrompts: false });
    await loopGraph(1100).invoke({}, { callbacks: [handler], recursionLimit: 2000 });
    const root = one((await only()).spans, 'loop');
    expect(pathOf(root)).toHaveLength(1000);
    expect(root.attributes['langgraph.path_dropped']).toBe(103);

    let wide = new StateGraph(Count) as unknown as StateGraph<typeof Count.spec, any, any, string>;
    for (let i = 0; i < 600; i++) wide = wide.addNode(`n${i}`, () => ({})) as typeof wide;
    for (let i = 1; i < 600; i++) wide = wide.addEdge(`n${i - 1}`, `n${i}`) as typeof wide;
    const compiled = wide.addEdge(START, 'n0').addEdge('n599', END).compile({ name: 'wide' });
    await compiled.invoke({}, { callbacks: [handler], recursionLimit: 1000 });
    const graph = graphOf(one((await traces()).at(-1)!.spans, 'wide'));
    expect(graph.nodes).toHaveLength(500);
    expect(graph.truncated).toBe(true);
  });
});

describe('a compiled subgraph used as a node', () => {
  it('is one span with both facts: the node, and the agent it runs', async () => {
    const { handler, only } = setup();
    const mathAgent = createReactAgent({
      llm: new ScriptedChatModel({
        script: [{ toolCalls: [{ name: 'add', args: { a: 2, b: 3 } }] }, { content: '2 + 3 = 5' }],
      }),
      tools: [addTool],
      name: 'math_agent',
    });
    const supervisor = new StateGraph(MessagesAnnotation)
      .addNode('route', () => ({}))
      .addNode('math_agent', mathAgent)
      .addEdge(START, 'route')
      .addEdge('route', 'math_agent')
      .addEdge('math_agent', END)
      .compile({ name: 'supervisor' });
    await supervisor.invoke({ messages: [new HumanMessage('2+3?')] }, { callbacks: [handler] });
    const { spans } = await only();
    expect(tree(spans).filter((l) => /^ {0,4}\S/.test(l))).toEqual([
      'supervisor [CHAIN] OK',
      '  route [CHAIN] OK',
      '  math_agent [AGENT] OK',
      '    agent [CHAIN] OK',
      '    tools [CHAIN] OK',
      '    agent [CHAIN] OK',
    ]);
    const folded = one(spans, 'math_agent');
    expect(folded.attributes['langgraph.subgraph']).toBe('math_agent');
    expect(graphOf(folded).nodes.sort()).toEqual(['__end__', '__start__', 'agent', 'tools']);
    expect(pathOf(folded).map((p) => p.node)).toEqual(['agent', 'tools', 'agent']);
    expect(pathOf(one(spans, 'supervisor')).map((p) => [p.node, p.from])).toEqual([
      ['route', ['__start__']],
      ['math_agent', ['route']],
    ]);
    // The node's own inputs and outputs stay: the conversation in, the agent's answer out.
    expect(JSON.stringify(folded.attributes['mlflow.spanOutputs'])).toContain('2 + 3 = 5');
  });
});

describe('interrupt and resume', () => {
  const Draft = Annotation.Root({ approved: Annotation<boolean>() });
  const approvalGraph = () =>
    new StateGraph(Draft)
      .addNode('write', () => ({}))
      .addNode('review', () => ({ approved: (interrupt('approve?') as { ok: boolean }).ok }))
      .addNode('publish', () => ({}))
      .addEdge(START, 'write')
      .addEdge('write', 'review')
      .addEdge('review', 'publish')
      .addEdge('publish', END)
      .compile({ checkpointer: new MemorySaver() });

  it('links the resumed trace to the interrupted one, by span link and metadata', async () => {
    const { handler, traces } = setup();
    const graph = approvalGraph();
    const config = { configurable: { thread_id: 't-7' }, callbacks: [handler] };
    await graph.invoke({}, config);
    await graph.invoke(new Command({ resume: { ok: true } }), config);
    // Another thread's resume without a known interrupt: marked resumed, linked to nothing.
    const other = { configurable: { thread_id: 't-8' }, callbacks: [handler] };
    await graph.invoke({}, other);
    const fresh = new StateGraph(Draft)
      .addNode('review', () => ({}))
      .addEdge(START, 'review')
      .addEdge('review', END)
      .compile({ checkpointer: new MemorySaver() });
    await fresh.invoke(new Command({ resume: 1 }), {
      configurable: { thread_id: 'never-paused' },
      callbacks: [handler],
    });

    const [paused, resumed, paused8, orphan] = await traces();
    const pausedRoot = one(paused!.spans, 'LangGraph');
    const resumedRoot = one(resumed!.spans, 'LangGraph');
    expect(pausedRoot.attributes['langgraph.interrupted']).toBe(true);
    expect(paused!.info.traceMetadata['langgraph.interrupted']).toBe('true');
    expect(paused!.info.state).toBe('OK');

    expect(resumedRoot.links).toEqual([
      {
        traceId: paused!.info.traceId,
        spanId: pausedRoot.spanId,
        attributes: { reason: 'resume' },
      },
    ]);
    expect(resumed!.info.traceMetadata['langgraph.resumed_from']).toBe(paused!.info.traceId);
    expect(resumed!.info.traceMetadata['langgraph.resumed']).toBe('true');
    expect(resumed!.info.traceMetadata['langgraph.interrupted']).toBeUndefined();
    // The resumed invocation's path starts where the interrupted one stopped.
    expect(pathOf(resumedRoot).map((p) => [p.node, p.from])).toEqual([
      ['review', []],
      ['publish', ['review']],
    ]);

    expect(paused8!.info.traceMetadata['langgraph.interrupted']).toBe('true');
    expect(one(orphan!.spans, 'LangGraph').links ?? []).toEqual([]);
    expect(orphan!.info.traceMetadata['langgraph.resumed']).toBe('true');
    expect(orphan!.info.traceMetadata['langgraph.resumed_from']).toBeUndefined();
  });
});
