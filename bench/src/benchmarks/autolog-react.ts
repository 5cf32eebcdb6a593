import { report } from '../autolog-react/figures.js';
import { installedVersion } from '../autolog-react/peer-versions.js';
import {
  INVOCATIONS_PER_ROUND,
  MODES,
  type Mode,
  SLOW_LATENCY_MS,
  TOOL_ROUNDS,
} from '../autolog-react/protocol.js';
import { alternate, askStats, spawn, type Worker, warm } from '../autolog-react/workers.js';
import type { Benchmark } from '../harness.js';

/**
 * Cost of tracing a ReAct agent (10 tool-call rounds per invocation, instant scripted model),
 * graphtrace's autolog beside the peers a LangGraph.js user would pick, each registered globally
 * as its docs say, each mode in its own process (src/autolog-react/child.ts), the processes
 * taking turns round by round. Modes (`--modes a,b` runs some; untraced and floor always run):
 *   untraced             no callback handler at all
 *   floor                a do-nothing handler registered the same global way as autolog
 *                        (inheritable configure hook, awaited callbacks): LangChain's own cost
 *   autolog-mem          graphtrace autolog, memory store, flushed every round
 *   autolog-sql          graphtrace autolog, SQLite store writing on its worker thread, flushed
 *                        (persisted) every round
 *   autolog-sql-inline   the same, the SQLite writes batched on the traced program's thread
 *   autolog-mem-process  autolog-mem with `scope: 'process'`, as setup() turns it on
 *   autolog-sql-reference  autolog-sql with `recordInternalChains: 'reference'`
 *   autolog-sql-off      autolog-sql with `recordInternalChains: 'off'`
 *   langfuse             @langfuse/langchain CallbackHandler → OTel BatchSpanProcessor → memory
 *   openinference        OpenInference's LangChain instrumentation → the same, in memory
 *   sqlite-limit         the physical limit: the rows autolog-sql writes for one invocation,
 *                        encoded and inserted again with better-sqlite3 directly (no agent)
 * and, with 20 ms of model latency per call, untraced, floor and both SQLite modes again (each
 * warmed up first with an instant model, then twice the rounds: a round is only 5 invocations).
 */

const LABELS: Record<Mode, string> = {
  untraced: 'untraced',
  floor: 'floor (do-nothing handler)',
  'autolog-mem': 'graphtrace autolog → memory store',
  'autolog-sql': 'graphtrace autolog → SQLite, worker-thread writer',
  'autolog-sql-inline': 'graphtrace autolog → SQLite, in-thread batched writes',
  'autolog-mem-process': "graphtrace autolog → memory, scope 'process' (setup())",
  'autolog-sql-reference': 'graphtrace autolog → SQLite, internal chains by reference',
  'autolog-sql-off': 'graphtrace autolog → SQLite, internal chains off',
  langfuse: `Langfuse ${installedVersion('@langfuse/langchain')} → OTel memory exporter`,
  openinference: `OpenInference ${installedVersion('@arizeai/openinference-instrumentation-langchain')} → OTel memory exporter`,
  'sqlite-limit': 'physical limit: same rows → better-sqlite3 (no agent)',
};
const BASELINES: Mode[] = ['untraced', 'floor'];
const SLOW: Mode[] = ['untraced', 'floor', 'autolog-sql', 'autolog-sql-inline'];

/** The modes to run: all, or those named plus the baselines every figure is relative to. */
function selectModes(named: string[] | undefined): Mode[] {
  if (!named) return [...MODES];
  const unknown = named.filter((n) => !MODES.includes(n as Mode));
  if (unknown.length > 0)
    throw new Error(`unknown mode(s) ${unknown.join(', ')}; modes: ${MODES.join(', ')}`);
  return MODES.filter((m) => BASELINES.includes(m) || named.includes(m));
}

export const benchmark: Benchmark = {
  name: 'autolog-react',
  description: `tracing a ReAct agent (${TOOL_ROUNDS} tool rounds, scripted model): graphtrace autolog and its peers, one process per mode`,
  async run({ rounds, modes }) {
    const fastModes = selectModes(modes);
    const slowModes = fastModes.some((m) => m === 'autolog-sql' || m === 'autolog-sql-inline')
      ? SLOW.filter((m) => fastModes.includes(m))
      : [];
    const workers: Worker[] = [];
    try {
      const ms = `${SLOW_LATENCY_MS} ms model`;
      const spawned = await Promise.allSettled([
        ...fastModes.map((m) => spawn(LABELS[m], m, 0)),
        ...slowModes.map((m) => spawn(`${LABELS[m]}, ${ms}`, m, SLOW_LATENCY_MS)),
      ]);
      for (const s of spawned) if (s.status === 'fulfilled') workers.push(s.value);
      const failed = spawned.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      const fast = workers.slice(0, fastModes.length);
      const slow = workers.slice(fastModes.length);
      // Spans per invocation, counted from what each tracer exported; a peer with none fails.
      const stats = await askStats(fast);
      // Many short rounds: each is INVOCATIONS_PER_ROUND invocations (~1,500 spans).
      await alternate(fast, Math.max(rounds, 5) * 4, 5);
      // Slow rounds are few invocations each (5 × ~250 ms): twice as many rounds, after an
      // instant-model warm-up, so that the median is of a steady state.
      await warm(slow);
      await alternate(slow, Math.max(rounds, 5) * 2, 2);
      return {
        ...report(fast, slow, stats),
        notes: [
          `µs/op = per invocation (${INVOCATIONS_PER_ROUND} per round); per span = over the floor, each mode divided by its own spans per invocation`,
          'goals (issue 18): graphtrace → SQLite ≤ 0.5× and → memory ≤ 0.33× Langfuse → memory per span over the floor; SQLite within 2× its physical limit; with a 20 ms model, ≤ 5 % over untraced',
          'every round ends with its flush (graphtrace: flushTraces(), SQLite persisted; peers: LangChain background callbacks drained, then the BatchSpanProcessor force-flushed), so the export is in the figure',
          'physical limit: one transaction per trace of the same rows (info, tags, metadata, spans), span contents JSON-encoded per copy; no rollup queue',
        ],
      };
    } finally {
      await Promise.all(workers.map((w) => w.exit()));
    }
  },
};
