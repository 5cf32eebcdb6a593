import { setDefaultTracker } from '@graphtrace/core';
import { HumanMessage } from '@langchain/core/messages';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { afterEach, describe, expect, it } from 'vitest';
import { autolog, autologFromConfig, GraphtraceCallbackHandler } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, setup, tree } from './helpers.js';

const Count = Annotation.Root({ n: Annotation<number>() });

function counter() {
  return new StateGraph(Count)
    .addNode('inc', (s) => ({ n: s.n + 1 }))
    .addEdge(START, 'inc')
    .addEdge('inc', END)
    .compile();
}

const COUNTER_TREE = ['LangGraph [CHAIN] OK', '  inc [CHAIN] OK'];

describe('autolog: one call, every invocation traced', () => {
  afterEach(() => {
    autolog({ disable: true });
    setDefaultTracker(null);
  });

  it('traces graphs invoked with no callbacks at all', async () => {
    const { tracker, only, warnings } = setup();
    const handle = autolog(tracker);
    expect(handle.enabled).toBe(true);
    expect(await counter().invoke({ n: 1 })).toEqual({ n: 2 });
    expect(tree((await only()).spans)).toEqual(COUNTER_TREE);
    expect(handle.reachability).toEqual({ reachable: true });
    expect(warnings()).toEqual([]);
  });

  it('registering twice, or also passing the handler explicitly, never duplicates spans', async () => {
    const { tracker, traces } = setup();
    autolog(tracker);
    autolog(tracker);
    const handle = autolog(tracker);
    await counter().invoke({ n: 1 });
    await counter().invoke({ n: 1 }, { callbacks: [handle.handler!] });
    await counter().invoke({ n: 1 }, { callbacks: [new GraphtraceCallbackHandler(tracker)] });
    const all = await traces();
    expect(all).toHaveLength(3);
    for (const t of all) expect(tree(t.spans)).toEqual(COUNTER_TREE);
  });

  it('turns off with the handle or autolog({ disable: true }), and back on', async () => {
    const { tracker, traces } = setup();
    const handle = autolog(tracker);
    handle.disable();
    expect(handle.enabled).toBe(false);
    await counter().invoke({ n: 1 });
    expect(await traces()).toHaveLength(0);

    autolog(tracker);
    await counter().invoke({ n: 1 });
    expect(await traces()).toHaveLength(1);

    autolog({ disable: true });
    await counter().invoke({ n: 1 });
    expect(await traces()).toHaveLength(1);

    autolog(tracker, { enabled: true });
    await counter().invoke({ n: 1 });
    expect(await traces()).toHaveLength(2);
  });

  it('switching trackers sends later traces to the new one only', async () => {
    const a = setup();
    const b = setup();
    autolog(a.tracker);
    await counter().invoke({ n: 1 });
    autolog(b.tracker);
    await counter().invoke({ n: 1 });
    await counter().invoke({ n: 1 });
    expect(await a.traces()).toHaveLength(1);
    expect(await b.traces()).toHaveLength(2);
  });

  it("uses core's default tracker, and says so clearly when there is none", async () => {
    expect(() => autolog()).toThrow(expect.objectContaining({ code: 'AUTOLOG_NO_TRACKER' }));
    const { tracker, only } = setup();
    setDefaultTracker(tracker);
    autolog();
    await counter().invoke({ n: 1 });
    expect(tree((await only()).spans)).toEqual(COUNTER_TREE);
  });

  it('autologFromConfig switches it on from observability.mlflow.autolog_enabled', async () => {
    const { tracker, traces } = setup();
    const off = autologFromConfig(
      { observability: { mlflow: { autolog_enabled: false } } },
      tracker,
    );
    expect(off.enabled).toBe(false);
    await counter().invoke({ n: 1 });
    expect(await traces()).toHaveLength(0);

    const on = autologFromConfig(
      { observability: { mlflow: { autolog_enabled: true, user: 'ops-bot' } } },
      tracker,
    );
    expect(on.enabled).toBe(true);
    await counter().invoke({ n: 1 });
    const all = await traces();
    expect(all).toHaveLength(1);
    expect(all[0]!.info.traceMetadata['mlflow.trace.user']).toBe('ops-bot');

    // The bare section works too.
    expect(autologFromConfig({ autolog_enabled: true }, tracker).enabled).toBe(true);
  });

  it('thread_id becomes the session; the user comes from the options or metadata.user_id', async () => {
    const { tracker, traces } = setup();
    autolog(tracker, { user: 'alice' });
    await counter().invoke({ n: 1 }, { configurable: { thread_id: 't-1' } });
    await counter().invoke(
      { n: 1 },
      { configurable: { thread_id: 't-2' }, metadata: { user_id: 'bob' } },
    );
    const [first, second] = await traces();
    expect(first!.info.traceMetadata).toMatchObject({
      'mlflow.trace.session': 't-1',
      'mlflow.trace.user': 'alice',
    });
    expect(second!.info.traceMetadata).toMatchObject({
      'mlflow.trace.session': 't-2',
      'mlflow.trace.user': 'bob',
    });
  });

  it('the trace is complete when invoke returns, even with background callbacks requested', async () => {
    const previous = process.env.LANGCHAIN_CALLBACKS_BACKGROUND;
    process.env.LANGCHAIN_CALLBACKS_BACKGROUND = 'true';
    try {
      const { tracker, store } = setup();
      const handle = autolog(tracker);
      const model = new ScriptedChatModel({
        script: [{ toolCalls: [{ name: 'add', args: { a: 1, b: 2 } }] }, { content: '3' }],
      });
      await createReactAgent({ llm: model, tools: [addTool] }).invoke({
        messages: [new HumanMessage('1+2')],
      });
      // Nothing is left open the moment invoke returns; flushing writes every span.
      expect(handle.handler!.openRuns).toBe(0);
      await tracker.flushTraces();
      const { items: traces } = await store.searchTraces({
        experimentIds: [await tracker.experimentId()],
      });
      expect(traces).toHaveLength(1);
      expect((await store.getTrace(traces[0]!.traceId))!.spans).toHaveLength(13);
    } finally {
      if (previous === undefined) delete process.env.LANGCHAIN_CALLBACKS_BACKGROUND;
      else process.env.LANGCHAIN_CALLBACKS_BACKGROUND = previous;
    }
  });
});
