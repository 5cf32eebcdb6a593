/**
 * The same LangChain run delivered to graphtrace twice is still one span. The plain top-level
 * case (autolog on, its handler or another one for the tracker also in `callbacks`) is locked in
 * by autolog.test.ts, "registering twice, or also passing the handler explicitly, never
 * duplicates spans"; this file covers nested runs, LangSmith's tracer beside autolog, and
 * langchainjs #11648 (`streamEvents` on a `createAgent` graph delivering config callbacks twice),
 * on both module formats of LangChain.
 */

import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import * as esmManager from '@langchain/core/callbacks/manager';
import * as esmMessages from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import * as esmTools from '@langchain/core/tools';
import * as esmLangGraph from '@langchain/langgraph';
import * as esmLangChain from 'langchain';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { autolog, GraphtraceCallbackHandler, HANDLER_NAME } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { byName, setup, tree } from './helpers.js';

const require = createRequire(import.meta.url);

/** The LangChain pieces these tests use, from one module format. */
interface LangChain {
  CallbackManager: typeof esmManager.CallbackManager;
  HumanMessage: typeof esmMessages.HumanMessage;
  tool: typeof esmTools.tool;
  StateGraph: typeof esmLangGraph.StateGraph;
  MessagesAnnotation: typeof esmLangGraph.MessagesAnnotation;
  START: typeof esmLangGraph.START;
  END: typeof esmLangGraph.END;
  createAgent: typeof esmLangChain.createAgent;
  FakeToolCallingModel: typeof esmLangChain.FakeToolCallingModel;
}

const FORMATS: Record<'esm' | 'cjs', () => LangChain> = {
  esm: () => ({ ...esmManager, ...esmMessages, ...esmTools, ...esmLangGraph, ...esmLangChain }),
  // What an app that `require`s LangGraph runs on: the CommonJS instance of the same copy.
  cjs: () => ({
    ...require('@langchain/core/callbacks/manager'),
    ...require('@langchain/core/messages'),
    ...require('@langchain/core/tools'),
    ...require('@langchain/langgraph'),
    ...require('langchain'),
  }),
};

/** A config callback like the one in #11648: counts each run's deliveries. */
class DeliveryCounter extends BaseCallbackHandler {
  name = 'delivery_counter';
  readonly starts = new Map<string, number>();
  private count(runId: string) {
    this.starts.set(runId, (this.starts.get(runId) ?? 0) + 1);
  }
  override handleChainStart(_c: unknown, _i: unknown, runId: string) {
    this.count(runId);
  }
  override handleChatModelStart(_l: unknown, _m: unknown, runId: string) {
    this.count(runId);
  }
  override handleToolStart(_t: unknown, _i: string, runId: string) {
    this.count(runId);
  }
  /** How many times each run was delivered, as a sorted set of counts. */
  deliveries(): number[] {
    return [...new Set(this.starts.values())].sort();
  }
}

/** A tool-calling `createAgent` graph of one module format: one tool call, then an answer. */
function makeAgent(lc: LangChain) {
  const add = lc.tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
    name: 'add',
    description: 'Adds two numbers',
    schema: z.object({ a: z.number(), b: z.number() }),
  });
  const model = new lc.FakeToolCallingModel({
    toolCalls: [[{ name: 'add', args: { a: 1, b: 1 }, id: 'call_1' }], []],
  });
  return lc.createAgent({ model, tools: [add] });
}

const agentTree = (model: string, indent = '') =>
  [
    'LangGraph [AGENT] OK',
    '  model_request [CHAIN] OK',
    `    ${model} [CHAT_MODEL] OK`,
    '    RunnableLambda [CHAIN] OK',
    '  tools [CHAIN] OK',
    '    add [TOOL] OK',
    '  model_request [CHAIN] OK',
    `    ${model} [CHAT_MODEL] OK`,
    '    RunnableLambda [CHAIN] OK',
  ].map((l) => indent + l);

const AGENT = agentTree('FakeToolCallingModel');
/** An outer graph whose node `run` runs the agent. */
const NESTED = [
  'LangGraph [CHAIN] OK',
  '  run [CHAIN] OK',
  ...agentTree('FakeToolCallingModel', '    '),
];

type Agent = ReturnType<typeof makeAgent>;

/** A one-node graph whose node runs `body` (the node's config is passed on explicitly). */
function outerGraph(
  lc: LangChain,
  body: (input: unknown, config: RunnableConfig) => Promise<void>,
) {
  return new lc.StateGraph(lc.MessagesAnnotation)
    .addNode('run', async (state, config) => {
      await body({ messages: state.messages }, config as RunnableConfig);
      return {};
    })
    .addEdge(lc.START, 'run')
    .addEdge('run', lc.END)
    .compile();
}

async function drain(events: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of events) n++;
  return n;
}

/** `streamEvents(v2)` with a config callback, as in #11648. */
const streamEvents = (agent: Agent, input: unknown, counter: DeliveryCounter) =>
  drain(
    agent.streamEvents(input as Parameters<Agent['invoke']>[0], {
      version: 'v2',
      callbacks: [counter],
    }),
  );

const handlerNames = (config: RunnableConfig): string[] =>
  ((config.callbacks as { handlers?: { name: string }[] })?.handlers ?? []).map((h) => h.name);

for (const [format, load] of Object.entries(FORMATS)) {
  describe(`no duplicate spans (${format} LangChain)`, () => {
    const lc = load();
    const input = () => ({ messages: [new lc.HumanMessage('1+1?')] });

    afterEach(() => {
      autolog({ disable: true });
    });

    it('autolog plus the same or a second handler for the tracker in callbacks, inside a node', async () => {
      const { tracker, traces, warnings } = setup();
      const handle = autolog(tracker);
      const agent = makeAgent(lc);
      for (const extra of [() => handle.handler!, () => new GraphtraceCallbackHandler(tracker)]) {
        await outerGraph(lc, async (inner, config) => {
          await agent.withConfig({ callbacks: [extra()] }).invoke(inner as never, config);
        }).invoke(input());
      }
      await agent.invoke(input(), { callbacks: [new GraphtraceCallbackHandler(tracker)] });
      expect((await traces()).map((t) => tree(t.spans))).toEqual([NESTED, NESTED, AGENT]);
      expect(handle.handler!.openRuns).toBe(0);
      expect(warnings()).toEqual([]);
    });

    it('streamEvents on a createAgent graph with config callbacks (#11648)', async () => {
      const { tracker, traces, warnings } = setup();
      const handle = autolog(tracker);
      const agent = makeAgent(lc);
      const top = new DeliveryCounter();
      expect(await streamEvents(agent, input(), top)).toBeGreaterThan(10);
      const nested = new DeliveryCounter();
      await outerGraph(lc, async (inner) => {
        await streamEvents(agent, inner, nested);
      }).invoke(input());
      expect(top.starts.size).toBeGreaterThan(5);
      expect(nested.starts.size).toBe(top.starts.size);
      const all = await traces();
      // Without LangSmith's tracer a run started with fresh `callbacks` in a node starts its own
      // trace (nothing links it to the node's run): the node's trace, then the agent's.
      expect(all.map((t) => tree(t.spans))).toEqual([
        AGENT,
        ['LangGraph [CHAIN] OK', '  run [CHAIN] OK'],
        AGENT,
      ]);
      expect(handle.handler!.openRuns).toBe(0);
      expect(warnings()).toEqual([]);
    });

    it('every run delivered twice (LangChain before deduping handlers, #11648): one span each', async () => {
      const { tracker, traces, warnings } = setup();
      const handle = autolog(tracker);
      const counter = new DeliveryCounter();
      // What older @langchain/core did (#11648 reports 1.2.11; 1.4.0 dedupes handlers by
      // identity): the configured manager lists a config callback and autolog's handler twice,
      // so every start, end and token reaches each of them twice.
      const twice = new Set([HANDLER_NAME, counter.name]);
      const CallbackManager = lc.CallbackManager as unknown as {
        _configureSync: (...args: unknown[]) => esmManager.CallbackManager | undefined;
      };
      const original = CallbackManager._configureSync;
      CallbackManager._configureSync = function (this: unknown, ...args: unknown[]) {
        const manager = original.apply(this, args);
        if (manager) {
          const again = (hs: esmManager.CallbackManager['handlers']) => [
            ...hs,
            ...hs.filter((h) => twice.has(h.name)),
          ];
          manager.handlers = again(manager.handlers);
          manager.inheritableHandlers = again(manager.inheritableHandlers);
        }
        return manager;
      };
      try {
        const agent = makeAgent(lc);
        await streamEvents(agent, input(), counter);
        await outerGraph(lc, async (inner, config) => {
          await agent.invoke(inner as never, config);
        }).invoke(input());
      } finally {
        CallbackManager._configureSync = original;
      }
      expect(counter.deliveries()).toEqual([2]); // the double delivery really happened
      expect((await traces()).map((t) => tree(t.spans))).toEqual([AGENT, NESTED]);
      expect(handle.handler!.openRuns).toBe(0);
      expect(warnings()).toEqual([]);
    });
  });
}

describe('no duplicate spans: streamed tokens delivered twice', () => {
  afterEach(() => {
    autolog({ disable: true });
  });

  it('records each token once, also when the same token reaches the handler twice', async () => {
    const { tracker, only } = setup();
    const handle = autolog(tracker);
    // As above: autolog's handler listed twice, so each streamed chunk reaches it twice.
    const original = esmManager.CallbackManager._configureSync;
    esmManager.CallbackManager._configureSync = function (...args) {
      const manager = original.apply(this, args);
      const ours = manager?.handlers.filter((h) => h.name === HANDLER_NAME) ?? [];
      if (manager) {
        manager.handlers.push(...ours);
        manager.inheritableHandlers.push(...ours);
      }
      return manager;
    };
    try {
      const model = new ScriptedChatModel({ script: [{ content: 'one plus one is two' }] });
      await drain(
        esmLangChain
          .createAgent({ model, tools: [] })
          .streamEvents({ messages: [new esmMessages.HumanMessage('1+1?')] }, { version: 'v2' }),
      );
    } finally {
      esmManager.CallbackManager._configureSync = original;
    }
    const { spans } = await only();
    const models = byName(spans, 'ScriptedChatModel');
    expect(models).toHaveLength(1);
    expect(models[0]!.events.map((e) => e.attributes.text)).toEqual([
      'one ',
      'plus ',
      'one ',
      'is ',
      'two',
    ]);
    expect(handle.handler!.openRuns).toBe(0);
  });
});

/** A loopback port nothing listens on: connections to it are refused at once. */
async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const LANGSMITH_ENV = [
  'LANGSMITH_TRACING',
  'LANGCHAIN_TRACING_V2',
  'LANGSMITH_ENDPOINT',
  'LANGSMITH_API_KEY',
] as const;

describe('no duplicate spans with LangSmith tracing on beside autolog', () => {
  const saved = new Map<string, string | undefined>();
  let endpoint = '';

  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await refusingPort()}`;
    for (const key of LANGSMITH_ENV) saved.set(key, process.env[key]);
    // @langchain/core reads the tracing switches at each run; LangSmith's client reads the
    // endpoint and key when its first tracer is made, which happens in these tests.
    Object.assign(process.env, {
      LANGSMITH_TRACING: 'true',
      LANGCHAIN_TRACING_V2: 'true',
      LANGSMITH_ENDPOINT: endpoint,
      LANGSMITH_API_KEY: 'lsv2-test-key-not-real',
    });
  });

  afterAll(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  afterEach(() => {
    autolog({ disable: true });
  });

  for (const [format, load] of Object.entries(FORMATS)) {
    it(`createAgent streamEvents in a node, as in #11648 (${format} LangChain)`, async () => {
      const lc = load();
      const { tracker, traces, warnings } = setup();
      const handle = autolog(tracker);
      const agent = makeAgent(lc);
      const input = () => ({ messages: [new lc.HumanMessage('1+1?')] });
      const seen: { names: string[]; apiUrl: unknown }[] = [];
      const counter = new DeliveryCounter();
      const graph = outerGraph(lc, async (inner, config) => {
        const handlers = (config.callbacks as { handlers: { name: string; client?: unknown }[] })
          .handlers;
        const tracer = handlers.find((h) => h.name === 'langchain_tracer');
        seen.push({
          names: handlerNames(config),
          apiUrl: (tracer?.client as { apiUrl?: unknown } | undefined)?.apiUrl,
        });
        await streamEvents(agent, inner, counter);
      });
      await graph.invoke(input());
      await streamEvents(agent, input(), new DeliveryCounter());

      // LangSmith's tracer really ran beside autolog's handler, sending to the refusing port.
      expect(seen).toHaveLength(1);
      expect(seen[0]!.names.filter((n) => n === 'langchain_tracer')).toHaveLength(1);
      expect(seen[0]!.names.filter((n) => n === HANDLER_NAME)).toHaveLength(1);
      expect(seen[0]!.apiUrl).toBe(endpoint);
      expect(counter.starts.size).toBeGreaterThan(5);

      // With LangSmith's tracer on, LangChain links the node's run to the agent's: one trace.
      expect((await traces()).map((t) => tree(t.spans))).toEqual([NESTED, AGENT]);
      expect(handle.handler!.openRuns).toBe(0);
      expect(warnings()).toEqual([]);

      // LangSmith's uploads to the refused endpoint retry for about 90 s: autolog's flush does
      // not wait for them.
      const flushed = await Promise.race([
        handle.flush().then(() => 'flushed'),
        new Promise((resolve) => setTimeout(() => resolve('stalled'), 5_000).unref()),
      ]);
      expect(flushed).toBe('flushed');
    });
  }
});
