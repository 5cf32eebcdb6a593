import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUTOLOG_CONTEXT_VAR, autolog, GraphtraceCallbackHandler } from '../src/index.js';
import { judgeStore } from '../src/reachability.js';
import { setup, tree } from './helpers.js';
import { makeSecondLangChainCopy } from './second-copy.js';

type LangGraphModule = typeof import('@langchain/langgraph');

function counterOn(lg: LangGraphModule) {
  const State = lg.Annotation.Root({ n: lg.Annotation<number>() });
  return new lg.StateGraph(State)
    .addNode('inc', (s: { n: number }) => ({ n: s.n + 1 }))
    .addEdge(lg.START, 'inc')
    .addEdge('inc', lg.END)
    .compile();
}

const ours = { Annotation, StateGraph, START, END } as unknown as LangGraphModule;

describe('noticing runs that autolog cannot see', () => {
  let copy: ReturnType<typeof makeSecondLangChainCopy>;
  let second: LangGraphModule;

  beforeAll(async () => {
    copy = makeSecondLangChainCopy();
    second = await copy.importFromCopy<LangGraphModule>('@langchain/langgraph/dist/index.js');
  }, 60_000);

  afterAll(() => {
    if (copy) rmSync(copy.dir, { recursive: true, force: true });
  });

  afterEach(() => {
    autolog({ disable: true });
  });

  it('a graph on a second copy of @langchain/core: nothing traced, one clear warning', async () => {
    const { tracker, traces, warnings } = setup();
    const handle = autolog(tracker);
    expect(second.StateGraph).not.toBe(StateGraph);

    expect(await counterOn(second).invoke({ n: 1 })).toEqual({ n: 2 });
    expect(await counterOn(second).invoke({ n: 1 })).toEqual({ n: 2 });
    expect(await traces()).toEqual([]);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/a second installed copy of @langchain\/core.*npm dedupe/);
    expect(handle.reachability).toMatchObject({ reachable: false, cause: 'second-copy' });

    // Graphs on the copy autolog shares are still traced after the warning.
    await counterOn(ours).invoke({ n: 1 });
    expect(await traces()).toHaveLength(1);
  });

  it('the handler passed explicitly works across copies', async () => {
    const { tracker, only } = setup();
    const handler = new GraphtraceCallbackHandler(tracker);
    await counterOn(second).invoke({ n: 1 }, { callbacks: [handler] });
    expect(tree((await only()).spans)).toEqual(['LangGraph [CHAIN] OK', '  inc [CHAIN] OK']);
  });

  it('autolog() called in an async context that does not enclose the run: one warning', async () => {
    const { tracker, traces, warnings } = setup();
    let handle: ReturnType<typeof autolog> | undefined;
    // After an await, LangChain's context variables set here do not flow back to the caller.
    await (async () => {
      await Promise.resolve();
      handle = autolog(tracker);
    })();
    await counterOn(ours).invoke({ n: 1 });
    expect(await traces()).toEqual([]);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/async context that does not enclose/);
    expect(handle!.reachability).toMatchObject({ reachable: false, cause: 'context' });
  });

  it("scope 'process': a run started where LangChain's context is empty is traced", async () => {
    const { tracker, traces, warnings } = setup();
    const handle = autolog(tracker, { scope: 'process' });
    // What a preloaded autolog meets under Node 24: the program's runs start with no context.
    const als = (globalThis as Record<symbol, { exit<T>(fn: () => T): T }>)[
      Symbol.for('ls:tracing_async_local_storage')
    ]!;
    await als.exit(() => counterOn(ours).invoke({ n: 1 }));
    expect(await traces()).toHaveLength(1);
    expect(warnings()).toEqual([]);
    handle.disable();
    await als.exit(() => counterOn(ours).invoke({ n: 1 }));
    expect(await traces()).toHaveLength(1); // off again: nothing more recorded
    // The default scope leaves such runs alone.
    autolog(tracker);
    await als.exit(() => counterOn(ours).invoke({ n: 1 }));
    expect(await traces()).toHaveLength(1);
  });

  it('a normal run confirms the handler is reachable, with no warning', async () => {
    const { tracker, warnings } = setup();
    const handle = autolog(tracker);
    expect(handle.reachability).toBeNull();
    await counterOn(ours).invoke({ n: 1 });
    expect(handle.reachability).toEqual({ reachable: true });
    expect(warnings()).toEqual([]);
  });
});

describe('judgeStore', () => {
  const handler = {};
  const CHILD = Symbol.for('lc:child_config');
  const VARS = Symbol.for('lc:context_variables');
  const node = (callbacks: unknown, vars?: Record<string, unknown>) => ({
    extra: { [CHILD]: { metadata: { langgraph_node: 'n' }, callbacks } },
    ...(vars ? { [VARS]: vars } : {}),
  });

  it('judges only LangGraph node configs', () => {
    expect(judgeStore(undefined, handler, AUTOLOG_CONTEXT_VAR)).toBeNull();
    expect(judgeStore({}, handler, AUTOLOG_CONTEXT_VAR)).toBeNull();
    expect(
      judgeStore({ extra: { [CHILD]: { metadata: {} } } }, handler, AUTOLOG_CONTEXT_VAR),
    ).toBeNull();
  });

  it('reachable when the node carries our handler, whatever else is there', () => {
    expect(
      judgeStore(node({ handlers: [{ name: 'x' }, handler] }), handler, AUTOLOG_CONTEXT_VAR),
    ).toEqual({ reachable: true });
  });

  it('an old, disabled handler of the same name does not count', () => {
    const old = new GraphtraceCallbackHandler(setup().tracker);
    const verdict = judgeStore(
      node(new CallbackManager(undefined, { handlers: [old] })),
      handler,
      AUTOLOG_CONTEXT_VAR,
    );
    expect(verdict).toMatchObject({ reachable: false, cause: 'context' });
  });

  it('the CommonJS build of the same copy is told apart from a second copy', () => {
    const cjs = createRequire(import.meta.url)('@langchain/core/callbacks/manager');
    expect(cjs.CallbackManager).not.toBe(CallbackManager);
    const verdict = judgeStore(
      node(new cjs.CallbackManager(undefined, { handlers: [] })),
      handler,
      AUTOLOG_CONTEXT_VAR,
    );
    expect(verdict).toMatchObject({ reachable: false, cause: 'module-format' });
    expect(verdict?.reachable === false && verdict.message).toMatch(
      /one copy, not two: deduping will not help/,
    );
  });

  it('a second copy when our handler is in context but was not attached', () => {
    expect(
      judgeStore(node(undefined, { [AUTOLOG_CONTEXT_VAR]: handler }), handler, AUTOLOG_CONTEXT_VAR),
    ).toMatchObject({ reachable: false, cause: 'second-copy' });
    // Or when the node's callback manager is not our copy's CallbackManager.
    expect(
      judgeStore(node({ handlers: [], _parentRunId: 'x' }), handler, AUTOLOG_CONTEXT_VAR),
    ).toMatchObject({ reachable: false, cause: 'second-copy' });
  });
});
