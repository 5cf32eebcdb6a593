import { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { RunnableLambda } from '@langchain/core/runnables';
import { FakeLLM } from '@langchain/core/utils/testing';
import { Annotation, END, Send, START, StateGraph } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { STEPS_METADATA_KEY } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { inputsOf, one, outputsOf, setup, tree } from './helpers.js';

const Log = Annotation.Root({
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

describe('graph shapes', () => {
  it('nests a subgraph under the node that runs it, as one span', async () => {
    const { handler, only } = setup();
    const inner = new StateGraph(Log)
      .addNode('plan', () => ({ log: ['plan'] }))
      .addNode('act', () => ({ log: ['act'] }))
      .addEdge(START, 'plan')
      .addEdge('plan', 'act')
      .addEdge('act', END)
      .compile({ name: 'inner' });
    const outer = new StateGraph(Log)
      .addNode('prepare', () => ({ log: ['prepare'] }))
      .addNode('delegate', inner)
      .addNode('finish', () => ({ log: ['finish'] }))
      .addEdge(START, 'prepare')
      .addEdge('prepare', 'delegate')
      .addEdge('delegate', 'finish')
      .addEdge('finish', END)
      .compile({ name: 'outer' });

    const result = await outer.invoke({ log: [] }, { callbacks: [handler] });
    expect(result.log.at(-1)).toBe('finish');
    const { spans, info } = await only();
    expect(tree(spans)).toEqual([
      'outer [CHAIN] OK',
      '  prepare [CHAIN] OK',
      // The subgraph's own run is folded into its node's span (named by the node).
      '  delegate [CHAIN] OK',
      '    plan [CHAIN] OK',
      '    act [CHAIN] OK',
      '  finish [CHAIN] OK',
    ]);
    // Node executions across both graphs: prepare, delegate, plan, act, finish.
    expect(info.traceMetadata[STEPS_METADATA_KEY]).toBe('5');
  });

  it('records parallel branches and Send fan-out as siblings', async () => {
    const { handler, only } = setup();
    const Fan = Annotation.Root({
      topics: Annotation<string[]>(),
      results: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    const graph = new StateGraph(Fan)
      .addNode('left', () => ({ results: ['left'] }))
      .addNode('right', async () => ({ results: ['right'] }))
      .addNode('research', (s: { topic?: string }) => ({ results: [`about ${s.topic}`] }))
      .addNode('join', () => ({}))
      .addEdge(START, 'left')
      .addEdge(START, 'right')
      .addConditionalEdges('left', (s) => s.topics.map((topic) => new Send('research', { topic })))
      .addEdge(['research', 'right'], 'join')
      .addEdge('join', END)
      .compile();

    const result = await graph.invoke({ topics: ['a', 'b', 'c'] }, { callbacks: [handler] });
    expect(result.results.sort()).toEqual(['about a', 'about b', 'about c', 'left', 'right']);
    const { spans } = await only();
    expect(tree(spans, 'name')).toEqual([
      'LangGraph [CHAIN] OK',
      '  join [CHAIN] OK',
      '  left [CHAIN] OK',
      '    RunnableLambda [CHAIN] OK',
      '  research [CHAIN] OK',
      '  research [CHAIN] OK',
      '  research [CHAIN] OK',
      '  right [CHAIN] OK',
    ]);
    const topics = spans
      .filter((s) => s.name === 'research')
      .map((s) => (inputsOf(s) as { topic: string }).topic)
      .sort();
    expect(topics).toEqual(['a', 'b', 'c']);
    // The router's output shows the Send packets it returned.
    const router = one(spans, 'RunnableLambda');
    expect(JSON.stringify(outputsOf(router))).toContain('"Send"');
  });

  it('records retrievers with MLflow documents and completion LLMs as LLM spans', async () => {
    const { handler, only } = setup();
    class Shelf extends BaseRetriever {
      override lc_namespace = ['tests'];
      override async _getRelevantDocuments(query: string) {
        return [
          new Document({
            pageContent: `doc about ${query}`,
            metadata: { source: 'a.md' },
            id: 'd1',
          }),
        ];
      }
    }
    const llm = new FakeLLM({});
    const State = Annotation.Root({
      question: Annotation<string>(),
      context: Annotation<string>(),
      answer: Annotation<string>(),
    });
    const graph = new StateGraph(State)
      .addNode('retrieve', async (s, config) => {
        const docs = await new Shelf().invoke(s.question, config);
        return { context: docs.map((d) => d.pageContent).join('\n') };
      })
      .addNode('generate', async (s, config) => ({
        answer: await llm.invoke(`Answer from: ${s.context}`, config),
      }))
      .addEdge(START, 'retrieve')
      .addEdge('retrieve', 'generate')
      .addEdge('generate', END)
      .compile();

    await graph.invoke({ question: 'otters' }, { callbacks: [handler] });
    const { spans, info } = await only();
    expect(tree(spans)).toEqual([
      'LangGraph [CHAIN] OK',
      '  retrieve [CHAIN] OK',
      '    Shelf [RETRIEVER] OK',
      '  generate [CHAIN] OK',
      '    FakeLLM [LLM] OK',
    ]);
    const retriever = one(spans, 'Shelf');
    expect(inputsOf(retriever)).toBe('otters');
    expect(outputsOf(retriever)).toEqual([
      { page_content: 'doc about otters', metadata: { source: 'a.md' }, id: 'd1' },
    ]);
    const fake = one(spans, 'FakeLLM');
    expect(inputsOf(fake)).toEqual({ prompts: ['Answer from: doc about otters'] });
    expect(outputsOf(fake)).toMatchObject({
      choices: [{ index: 0, text: 'Answer from: doc about otters' }],
    });
    expect(info.traceMetadata['graphtrace.agent.retrieverCalls']).toBe('1');
    expect(info.traceMetadata['graphtrace.agent.llmCalls']).toBe('1');
  });

  it('drops hidden chains inside a trace; model calls under them attach to the nearest visible span', async () => {
    const { handler, traces } = setup();
    const model = new ScriptedChatModel({ script: [{ content: 'ok' }] });
    // The hidden tag is inherited by child chains (as in LangSmith); model calls stay visible.
    const hiddenStep = RunnableLambda.from(async (x: string, config) => {
      const inner = await RunnableLambda.from((y: string) => y.toUpperCase())
        .withConfig({ runName: 'inner-chain' })
        .invoke(x, config);
      return `${inner}:${(await model.invoke(x, config)).content}`;
    }).withConfig({ runName: 'hidden-step', tags: ['langsmith:hidden'] });
    const graph = new StateGraph(Annotation.Root({ s: Annotation<string>() }))
      .addNode('work', async (state, config) => ({ s: await hiddenStep.invoke(state.s, config) }))
      .addEdge(START, 'work')
      .addEdge('work', END)
      .compile();
    expect(await graph.invoke({ s: 'a' }, { callbacks: [handler] })).toEqual({ s: 'A:ok' });
    // A hidden run with no parent is still recorded: dropping it would scatter its children.
    await hiddenStep.invoke('b', { callbacks: [handler] });
    const [first, second] = await traces();
    expect(tree(first!.spans)).toEqual([
      'LangGraph [CHAIN] OK',
      '  work [CHAIN] OK',
      '    ScriptedChatModel [CHAT_MODEL] OK',
    ]);
    expect(tree(second!.spans)).toEqual([
      'hidden-step [CHAIN] OK',
      '  ScriptedChatModel [CHAT_MODEL] OK',
    ]);
  });
});
