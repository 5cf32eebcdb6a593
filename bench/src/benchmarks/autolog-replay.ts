import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracker, memoryStore, silentLogger, type TrackingStore } from '@graphtrace/core';
import { type Benchmark, sideBySide } from '../harness.js';

/**
 * autolog's own cost, without LangChain's: the callbacks of real ReAct-agent invocations are
 * recorded once, then replayed straight into handlers, each invocation's objects replayed once
 * (autolog remembers converted messages per object, so a replay of the same objects would cost
 * less than the first sight). Inside a running graph the same work costs more (caches and GC
 * are shared with LangGraph's own work): `autolog-react` measures that; this one separates what
 * autolog's code does from where it runs. Variants, side by side in one process:
 *   do-nothing handler   the replay loop itself
 *   memory store         autolog's callbacks and the hand-over to the memory store
 *   SQLite, in-thread    the same, persisted (span JSON and inserts on this thread)
 *   SQLite, writer thread  the same with the worker writer; the replay outruns the writer, so
 *                        this measures how many traces per second the writer sustains
 */

const TOOL_ROUNDS = 10;
const INVOCATIONS_PER_ROUND = 10;
const WARMUP = 3;
const METHODS = [
  'handleChainStart',
  'handleChainEnd',
  'handleChainError',
  'handleChatModelStart',
  'handleLLMStart',
  'handleLLMEnd',
  'handleLLMError',
  'handleToolStart',
  'handleToolEnd',
  'handleToolError',
] as const;
type Method = (typeof METHODS)[number];
type Call = [Method, unknown[]];
type Handler = Record<Method, (...args: unknown[]) => unknown>;

async function record(invocations: number): Promise<{ calls: Call[][]; spans: number }> {
  const { HumanMessage } = await import('@langchain/core/messages');
  const { tool } = await import('@langchain/core/tools');
  const { createReactAgent } = await import('@langchain/langgraph/prebuilt');
  const { BaseCallbackHandler } = await import('@langchain/core/callbacks/base');
  const { z } = await import('zod');
  const { ScriptedChatModel, reactScript } = await import('@graphtrace/autolog-langgraph/testing');
  const { GraphtraceCallbackHandler } = await import('@graphtrace/autolog-langgraph');

  const lookup = tool(async ({ key }: { key: string }) => `value of ${key}`, {
    name: 'lookup',
    description: 'Looks a key up',
    schema: z.object({ key: z.string() }),
  });
  const model = new ScriptedChatModel({
    script: reactScript(TOOL_ROUNDS, [{ name: 'lookup', args: { key: 'k' } }], 'finished'),
  });
  const agent = createReactAgent({ llm: model, tools: [lookup] });
  let log: Call[] = [];
  // Passed per call (not registered globally) so the process's other benchmarks see no handler.
  class Capture extends BaseCallbackHandler {
    name = 'bench_capture';
    override awaitHandlers = true;
    override copy(): this {
      return this;
    }
  }
  const capture = new Capture() as unknown as Handler;
  for (const m of METHODS)
    capture[m] = (...args: unknown[]) => {
      log.push([m, args]);
    };
  const calls: Call[][] = [];
  for (let i = 0; i < invocations; i++) {
    log = [];
    await agent.invoke(
      { messages: [new HumanMessage('go')] },
      { callbacks: [capture as unknown as InstanceType<typeof BaseCallbackHandler>] },
    );
    calls.push(log);
  }
  // The span count of one invocation, from a replay into a scratch tracker.
  const store = memoryStore();
  const tracker = createTracker({ store, logger: silentLogger, handleExitSignals: false });
  const probe = new GraphtraceCallbackHandler(tracker) as unknown as Handler;
  await tracker.experimentId();
  for (const [m, args] of calls.pop()!) probe[m]!(...args);
  await tracker.flushTraces();
  const { items: traces } = await store.searchTraces({
    experimentIds: [await tracker.experimentId()],
  });
  const spans = (await store.getTrace(traces[0]!.traceId))!.spans.length;
  return { calls, spans };
}

export const benchmark: Benchmark = {
  name: 'autolog-replay',
  description: `autolog's own cost: recorded callbacks of a ReAct agent (${TOOL_ROUNDS} tool rounds) replayed into handlers`,
  async run({ rounds }) {
    const { GraphtraceCallbackHandler } = await import('@graphtrace/autolog-langgraph');
    const { sqliteStore } = await import('@graphtrace/store-sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'bench-autolog-replay-'));
    const targets: [string, TrackingStore | null][] = [
      ['do-nothing handler', null],
      ['autolog → memory store', memoryStore()],
      [
        'autolog → SQLite, in-thread writes',
        sqliteStore({ path: join(dir, 'inline.db'), traceWriter: 'inline' }),
      ],
      [
        'autolog → SQLite, writer thread (throughput-bound)',
        sqliteStore({ path: join(dir, 'worker.db'), traceWriter: 'worker' }),
      ],
    ];
    // Every round of every variant replays invocations never replayed before.
    const { calls, spans } = await record(
      (rounds + WARMUP) * targets.length * INVOCATIONS_PER_ROUND + 1,
    );
    let next = 0;
    const take = () => {
      next += INVOCATIONS_PER_ROUND;
      return calls.slice(next - INVOCATIONS_PER_ROUND, next);
    };

    const nothing = Object.fromEntries(METHODS.map((m) => [m, () => {}])) as Handler;
    const variant = (name: string, store: TrackingStore | null) => {
      if (!store) {
        return {
          name,
          round: () => {
            for (const invocation of take())
              for (const [m, args] of invocation) nothing[m](...args);
            return INVOCATIONS_PER_ROUND;
          },
        };
      }
      const tracker = createTracker({ store, logger: silentLogger, handleExitSignals: false });
      const handler = new GraphtraceCallbackHandler(tracker) as unknown as Handler;
      return {
        name,
        round: async () => {
          for (const invocation of take()) for (const [m, args] of invocation) handler[m](...args);
          await tracker.flushTraces();
          return INVOCATIONS_PER_ROUND;
        },
      };
    };
    try {
      const results = await sideBySide(
        targets.map(([name, store]) => variant(name, store)),
        rounds,
        WARMUP,
      );
      const [base, mem, inline, worker] = results.map((r) => r.medianNsPerOp / 1000);
      return {
        results,
        figures: {
          'spans per invocation': spans,
          'callbacks per invocation': calls[0]!.length,
          'autolog callbacks + hand-over to the memory store, µs per span': (mem! - base!) / spans,
          'SQLite persistence on the calling thread, µs per span': (inline! - mem!) / spans,
          'writer thread sustains, traces per second': 1e6 / worker!,
        },
        notes: [
          'µs/op = per replayed invocation; each recorded invocation is replayed once',
          'compare with autolog-react, which measures the same work inside a running graph',
        ],
      };
    } finally {
      for (const [, store] of targets) await store?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
