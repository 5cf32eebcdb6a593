import { HumanMessage } from '@langchain/core/messages';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import { GraphtraceCallbackHandler } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, byName, failingTool, inputsOf, one, outputsOf, setup, tree } from './helpers.js';

const Count = Annotation.Root({ n: Annotation<number>() });

describe('failures', () => {
  it('a failing tool: TOOL span ERROR, counted, the agent carries on', async () => {
    const { handler, only } = setup();
    const model = new ScriptedChatModel({
      script: [{ toolCalls: [{ name: 'explode', args: {} }] }, { content: 'sorry' }],
    });
    const agent = createReactAgent({ llm: model, tools: [addTool, failingTool] });
    const result = await agent.invoke(
      { messages: [new HumanMessage('go')] },
      { callbacks: [handler] },
    );
    expect(result.messages.at(-1)?.content).toBe('sorry');
    const { spans, info } = await only();
    const tool = one(spans, 'explode');
    expect(tool.status).toEqual({ code: 'ERROR', message: 'Error: tool exploded' });
    expect(tool.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'Error', 'exception.message': 'tool exploded' },
    });
    expect(one(spans, 'tools').status.code).toBe('OK');
    expect(info.state).toBe('OK');
    expect(info.traceMetadata['graphtrace.agent.toolErrors']).toBe('1');
    expect(info.traceMetadata['graphtrace.agent.toolCalls']).toBe('1');
  });

  it('a failing model: CHAT_MODEL, node and graph ERROR, the same error reaches the caller', async () => {
    const { handler, only } = setup();
    const boom = new Error('rate limited');
    const model = new ScriptedChatModel({ script: [{ error: boom }] });
    const agent = createReactAgent({ llm: model, tools: [addTool] });
    await expect(
      agent.invoke({ messages: [new HumanMessage('go')] }, { callbacks: [handler] }),
    ).rejects.toBe(boom);
    const { spans, info } = await only();
    expect(tree(spans)).toEqual([
      'LangGraph [CHAIN] ERROR',
      '  agent [CHAIN] ERROR',
      '    RunnableSequence [CHAIN] ERROR',
      '      prompt [CHAIN] OK',
      '      ScriptedChatModel [CHAT_MODEL] ERROR',
    ]);
    expect(one(spans, 'ScriptedChatModel').status.message).toBe('Error: rate limited');
    expect(info.state).toBe('ERROR');
  });

  it('RetryPolicy: each attempt is a span, the graph succeeds', async () => {
    const { handler, only } = setup();
    let attempts = 0;
    const graph = new StateGraph(Count)
      .addNode(
        'flaky',
        () => {
          attempts++;
          if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
          return { n: attempts };
        },
        { retryPolicy: { maxAttempts: 3, initialInterval: 1, jitter: false } },
      )
      .addEdge(START, 'flaky')
      .addEdge('flaky', END)
      .compile();
    expect(await graph.invoke({ n: 0 }, { callbacks: [handler] })).toEqual({ n: 3 });
    const { spans, info } = await only();
    expect(tree(spans)).toEqual([
      'LangGraph [CHAIN] OK',
      '  flaky [CHAIN] ERROR',
      '  flaky [CHAIN] ERROR',
      '  flaky [CHAIN] OK',
    ]);
    expect(byName(spans, 'flaky').map((s) => s.status.message ?? '')).toEqual([
      'Error: attempt 1 failed',
      'Error: attempt 2 failed',
      '',
    ]);
    expect(info.state).toBe('OK');
  });

  it('a callback that fails inside never breaks the program: it is logged once', async () => {
    const { handler, traces, warnings } = setup();
    const hostile = {
      get thread_id(): string {
        throw new Error('getter exploded');
      },
    };
    // Called the way LangChain calls it, with metadata the handler cannot read.
    for (const runId of [crypto.randomUUID(), crypto.randomUUID()]) {
      handler.handleChainStart(
        { id: ['x'] } as never,
        {},
        runId,
        undefined,
        [],
        hostile,
        undefined,
        'manual',
      );
      handler.handleChainEnd({}, runId);
    }
    const graph = new StateGraph(Count)
      .addNode('step', () => ({ n: 1 }))
      .addEdge(START, 'step')
      .addEdge('step', END)
      .compile();
    expect(await graph.invoke({ n: 0 }, { callbacks: [handler] })).toEqual({ n: 1 });
    expect(warnings()).toEqual(['autolog: handleChainStart failed: getter exploded']);
    expect(handler.failureCount).toBe(2);
    const all = await traces();
    expect(all.map((t) => t.info.tags['mlflow.traceName'])).toEqual([
      'manual',
      'manual',
      'LangGraph',
    ]);
  });

  it('inputs that cannot be read are recorded as a marker', async () => {
    const { handler, only } = setup();
    const runId = crypto.randomUUID();
    const inputs = {
      get question(): string {
        throw new Error('no access');
      },
    };
    handler.handleChainStart(
      { id: ['x'] } as never,
      inputs as never,
      runId,
      undefined,
      [],
      {},
      undefined,
      'q',
    );
    handler.handleChainEnd({ ok: true }, runId);
    const { spans } = await only();
    expect(inputsOf(spans[0]!)).toBe('[unreadable value: no access]');
    expect(outputsOf(spans[0]!)).toEqual({ ok: true });
  });

  it('a tracker whose logger throws still does not break the program', async () => {
    const { tracker } = setup({
      logger: {
        debug() {},
        info() {},
        warn() {
          throw new Error('logger down');
        },
        error() {},
      },
    });
    const handler = new GraphtraceCallbackHandler(tracker);
    const runId = crypto.randomUUID();
    const hostile = {
      get thread_id(): string {
        throw new Error('no');
      },
    };
    handler.handleChainStart({} as never, {}, runId, undefined, [], hostile, undefined, 'x');
    handler.handleChainEnd({}, runId);
    const graph = new StateGraph(Count)
      .addNode('step', () => ({ n: 2 }))
      .addEdge(START, 'step')
      .addEdge('step', END)
      .compile();
    expect(await graph.invoke({ n: 0 }, { callbacks: [handler] })).toEqual({ n: 2 });
    expect(handler.failureCount).toBeGreaterThan(0);
  });

  it('a stream abandoned early still closes its trace', async () => {
    const { handler, traces } = setup();
    const model = new ScriptedChatModel({
      script: [{ toolCalls: [{ name: 'add', args: { a: 1, b: 2 } }] }, { content: 'three' }],
    });
    const agent = createReactAgent({ llm: model, tools: [addTool] });
    for await (const _chunk of await agent.stream(
      { messages: [new HumanMessage('go')] },
      { callbacks: [handler], streamMode: 'updates' },
    )) {
      break;
    }
    const all = await traces();
    expect(all).toHaveLength(1);
    expect(all[0]!.spans.every((s) => s.endTimeUnixNano !== null)).toBe(true);
    expect(handler.openRuns).toBe(0);
  });
});
