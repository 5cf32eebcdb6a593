import { AsyncResource } from 'node:async_hooks';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchResult } from '../harness.js';

/**
 * Cost of autolog on a ReAct agent: 10 tool-call rounds per invocation with an instant scripted
 * model. Each mode lives in its own process (LangChain's configure hook is process-global and
 * cannot be unregistered), the processes take turns round by round, and each reports the time
 * of its own round, so IPC is not measured. Modes:
 *   untraced     no callback handler at all
 *   floor        a do-nothing handler registered the same global way as autolog (inheritable
 *                configure hook, awaited callbacks): LangChain's own cost
 *   autolog-mem  graphtrace autolog, memory store, flushed every round
 *   autolog-sql  graphtrace autolog, SQLite store writing on its worker thread, flushed
 *                (persisted) every round
 *   autolog-sql-inline  the same, the SQLite writes batched on the traced program's thread
 *   autolog-mem-process  autolog-mem with `scope: 'process'`, as setup() and the zero-code
 *                register turn it on
 * and, with 20 ms of model latency per call, untraced, floor and both SQLite modes again.
 */

const TOOL_ROUNDS = 10;
const INVOCATIONS_PER_ROUND = 20;
// Each round ends with flushTraces(), which waits for the last trace's write: enough
// invocations per round that this one write does not stand for the steady state.
const SLOW_INVOCATIONS_PER_ROUND = 5;
const SLOW_LATENCY_MS = 20;

type Mode =
  | 'untraced'
  | 'floor'
  | 'autolog-mem'
  | 'autolog-mem-process'
  | 'autolog-sql'
  | 'autolog-sql-inline';
interface ChildRequest {
  cmd: 'round' | 'stats' | 'exit';
}
interface ChildReply {
  ns?: number;
  cpuNs?: number;
  ops?: number;
  spansPerInvocation?: number;
  callbacksPerInvocation?: number;
  error?: string;
}

// ---- child process ---------------------------------------------------------------------------

async function child(mode: Mode, latencyMs: number): Promise<void> {
  const { HumanMessage } = await import('@langchain/core/messages');
  const { tool } = await import('@langchain/core/tools');
  const { createReactAgent } = await import('@langchain/langgraph/prebuilt');
  const { z } = await import('zod');
  const { ScriptedChatModel, reactScript } = await import('@graphtrace/autolog-langgraph/testing');

  const lookup = tool(async ({ key }: { key: string }) => `value of ${key}`, {
    name: 'lookup',
    description: 'Looks a key up',
    schema: z.object({ key: z.string() }),
  });
  const model = new ScriptedChatModel({
    latencyMs,
    script: reactScript(TOOL_ROUNDS, [{ name: 'lookup', args: { key: 'k' } }], 'finished'),
  });
  const agent = createReactAgent({ llm: model, tools: [lookup] });

  let flush: () => Promise<void> = async () => {};
  // Between rounds, untimed: the stores are emptied so every round meets the same heap and file.
  let reset: () => Promise<void> = async () => {};
  let countSpans: () => Promise<number> = async () => 0;
  let callbacks = 0;
  let cleanup = () => {};
  if (mode === 'floor') {
    const { BaseCallbackHandler } = await import('@langchain/core/callbacks/base');
    const { registerConfigureHook, setContextVariable } = await import('@langchain/core/context');
    // Same dispatch as graphtrace's handler: inline (awaited) callbacks, every method present.
    class Nothing extends BaseCallbackHandler {
      name = 'bench_nothing';
      override awaitHandlers = true;
      override handleChainStart() {
        callbacks++;
      }
      override handleChainEnd() {
        callbacks++;
      }
      override handleChatModelStart() {
        callbacks++;
      }
      override handleLLMEnd() {
        callbacks++;
      }
      override handleToolStart() {
        callbacks++;
      }
      override handleToolEnd() {
        callbacks++;
      }
    }
    registerConfigureHook({ contextVar: 'bench_nothing', inheritable: true });
    setContextVariable('bench_nothing', new Nothing());
  } else if (mode !== 'untraced') {
    const { createTracker, memoryStore } = await import('@graphtrace/core');
    const { autolog } = await import('@graphtrace/autolog-langgraph');
    let store: import('@graphtrace/core').TrackingStore;
    if (mode === 'autolog-sql' || mode === 'autolog-sql-inline') {
      const { sqliteStore } = await import('@graphtrace/store-sqlite');
      const dir = mkdtempSync(join(tmpdir(), 'bench-autolog-'));
      store = sqliteStore({
        path: join(dir, 'mlflow.db'),
        traceWriter: mode === 'autolog-sql' ? 'worker' : 'inline',
      });
      cleanup = () => rmSync(dir, { recursive: true, force: true });
    } else {
      store = memoryStore();
    }
    const tracker = createTracker({
      store,
      experimentName: 'bench',
      // Warnings (e.g. autolog's reachability check) must show; the rest is noise here.
      logger: {
        debug() {},
        info() {},
        warn: (m: string) => console.error(`[${mode}] ${m}`),
        error: (m: string) => console.error(`[${mode}] ${m}`),
      },
      handleExitSignals: false,
    });
    autolog(tracker, { scope: mode === 'autolog-mem-process' ? 'process' : 'context' });
    flush = () => tracker.flushTraces();
    reset = async () => {
      await store.deleteTraces({
        experimentId: await tracker.experimentId(),
        maxTimestampMillis: Date.now() + 60_000,
        maxTraces: 1_000_000,
      });
    };
    countSpans = async () => {
      await tracker.flushTraces();
      const { traces } = await store.searchTraces({
        experimentIds: [await tracker.experimentId()],
        maxResults: 1,
      });
      const t = traces[0] ? await store.getTrace(traces[0].traceId) : null;
      return t?.spans.length ?? 0;
    };
  }

  const invoke = () => agent.invoke({ messages: [new HumanMessage('go')] });
  const perRound = latencyMs > 0 ? SLOW_INVOCATIONS_PER_ROUND : INVOCATIONS_PER_ROUND;
  const reply = (r: ChildReply) => process.send?.(r);
  // LangChain keeps configure hooks in AsyncLocalStorage: the IPC channel predates the set-up
  // above, so its messages are handled in the set-up's async context, as a server would be.
  const onMessage = AsyncResource.bind(async (m: ChildRequest) => {
    try {
      if (m.cmd === 'round') {
        const t0 = process.hrtime.bigint();
        const c0 = process.cpuUsage();
        for (let i = 0; i < perRound; i++) await invoke();
        await flush();
        const cpu = process.cpuUsage(c0);
        const ns = Number(process.hrtime.bigint() - t0);
        await reset();
        reply({ ns, cpuNs: (cpu.user + cpu.system) * 1000, ops: perRound });
      } else if (m.cmd === 'stats') {
        const before = callbacks;
        await invoke();
        reply({
          spansPerInvocation: await countSpans(),
          callbacksPerInvocation: callbacks - before,
        });
      } else {
        cleanup();
        process.exit(0);
      }
    } catch (err) {
      reply({ error: String((err as Error)?.stack ?? err) });
    }
  });
  process.on('message', onMessage);
  reply({});
}

const childAt = process.argv.indexOf('--autolog-bench-child');
if (childAt >= 0) {
  await child(process.argv[childAt + 1] as Mode, Number(process.argv[childAt + 2] ?? 0));
}

// ---- parent ----------------------------------------------------------------------------------

interface Worker {
  name: string;
  proc: ChildProcess;
  samples: number[];
  cpu: number[];
  ask(req: ChildRequest): Promise<ChildReply>;
}

function spawn(name: string, mode: Mode, latencyMs: number): Promise<Worker> {
  const proc = fork(
    fileURLToPath(import.meta.url),
    ['--autolog-bench-child', mode, String(latencyMs)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  let pending: ((r: ChildReply) => void) | null = null;
  proc.on('message', (r: ChildReply) => {
    const p = pending;
    pending = null;
    p?.(r);
  });
  const ask = (req: ChildRequest) =>
    new Promise<ChildReply>((resolve, reject) => {
      pending = (r) => (r.error ? reject(new Error(`${name}: ${r.error}`)) : resolve(r));
      proc.send(req);
    });
  return new Promise((resolve, reject) => {
    pending = () => resolve({ name, proc, samples: [], cpu: [], ask });
    proc.once('error', reject);
    proc.once('exit', (code) => {
      if (pending) reject(new Error(`${name} exited with ${code} before it was ready`));
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]!;
}

async function alternate(workers: Worker[], rounds: number, warmup: number): Promise<void> {
  for (let r = 0; r < warmup + rounds; r++) {
    const order = r % 2 === 0 ? workers : [...workers].reverse();
    for (const w of order) {
      const { ns, cpuNs, ops } = await w.ask({ cmd: 'round' });
      if (r >= warmup) {
        w.samples.push(ns! / ops!);
        w.cpu.push(cpuNs! / ops!);
      }
    }
  }
}

export const benchmark: Benchmark = {
  name: 'autolog-react',
  description: `autolog on a ReAct agent (${TOOL_ROUNDS} tool rounds, scripted model), one process per mode`,
  async run({ rounds }) {
    const fast = await Promise.all([
      spawn('untraced', 'untraced', 0),
      spawn('floor (do-nothing handler)', 'floor', 0),
      spawn('autolog → memory store', 'autolog-mem', 0),
      spawn('autolog → SQLite, worker-thread writer', 'autolog-sql', 0),
      spawn('autolog → SQLite, in-thread batched writes', 'autolog-sql-inline', 0),
      spawn("autolog → memory store, scope 'process' (setup())", 'autolog-mem-process', 0),
    ]);
    const ms = `${SLOW_LATENCY_MS} ms model`;
    const slow = await Promise.all([
      spawn(`untraced, ${ms}`, 'untraced', SLOW_LATENCY_MS),
      spawn(`floor, ${ms}`, 'floor', SLOW_LATENCY_MS),
      spawn(`autolog → SQLite (worker), ${ms}`, 'autolog-sql', SLOW_LATENCY_MS),
      spawn(`autolog → SQLite (in-thread), ${ms}`, 'autolog-sql-inline', SLOW_LATENCY_MS),
    ]);
    try {
      const stats = await fast[3]!.ask({ cmd: 'stats' });
      const floorStats = await fast[1]!.ask({ cmd: 'stats' });
      // Many short rounds: each is 20 invocations (~1,500 spans).
      await alternate(fast, Math.max(rounds, 5) * 4, 5);
      await alternate(slow, Math.max(rounds, 5), 2);

      const results: BenchResult[] = [...fast, ...slow].map((w) => ({
        variant: w.name,
        medianNsPerOp: median(w.samples),
        p95NsPerOp: p95(w.samples),
      }));
      const [a, b, mem, worker, inline, memProcess] = fast.map((w) => median(w.samples) / 1000);
      const [a20, b20, worker20, inline20] = slow.map((w) => median(w.samples) / 1000);
      const [ca, cb, cmem, cworker, cinline] = fast.map((w) => median(w.cpu) / 1000);
      const spans = stats.spansPerInvocation!;
      const perSpan = (x: number, floor: number) => (x - floor) / spans;
      const over = (x: number, base: number) => ((x - base) / base) * 100;
      const figures: Record<string, number> = {
        'spans per invocation': spans,
        'callbacks per invocation (floor handler)': floorStats.callbacksPerInvocation!,
        'untraced µs per invocation': a!,
        'floor µs per invocation': b!,
        'floor over untraced %': over(b!, a!),
        'autolog (memory) − floor, µs per span': perSpan(mem!, b!),
        'autolog (SQLite, worker writer) − floor, µs per span': perSpan(worker!, b!),
        'autolog (SQLite, in-thread writes) − floor, µs per span': perSpan(inline!, b!),
        'in-thread writes ÷ worker writer (autolog − floor)': (inline! - b!) / (worker! - b!),
        "autolog (memory, scope 'process') − floor, µs per span": perSpan(memProcess!, b!),
        "scope 'process' ÷ 'context' (autolog memory − floor)": (memProcess! - b!) / (mem! - b!),
        [`with ${ms}: autolog (SQLite, worker) over untraced %`]: over(worker20!, a20!),
        [`with ${ms}: autolog (SQLite, in-thread) over untraced %`]: over(inline20!, a20!),
        [`with ${ms}: floor over untraced %`]: over(b20!, a20!),
        // CPU time of all the process's threads (the writer's and GC's included): what the work
        // costs the machine, beside the wall time the traced program sees.
        'CPU µs per invocation: floor': cb!,
        'CPU: autolog (memory) − floor, µs per span': perSpan(cmem!, cb!),
        'CPU: autolog (SQLite, worker) − floor, µs per span': perSpan(cworker!, cb!),
        'CPU: autolog (SQLite, in-thread) − floor, µs per span': perSpan(cinline!, cb!),
        'CPU µs per invocation: untraced': ca!,
      };
      return {
        results,
        figures,
        notes: [
          'µs/op = per invocation; targets: autolog (SQLite) − floor ≤ 25 µs per span; with a 20 ms model, autolog (SQLite) within 5 % of untraced',
          'autolog rounds include flushTraces(), so the store write (SQLite: persisted) is in the figure',
        ],
      };
    } finally {
      for (const w of [...fast, ...slow]) w.proc.send({ cmd: 'exit' });
    }
  },
};
