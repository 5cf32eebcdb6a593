/** What the autolog-react parent and its one-process-per-mode children say to each other. */

export const TOOL_ROUNDS = 10;
export const INVOCATIONS_PER_ROUND = 20;
// Each round ends with a flush, which waits for the last trace's write: enough invocations per
// round that this one write does not stand for the steady state.
export const SLOW_INVOCATIONS_PER_ROUND = 5;
export const SLOW_LATENCY_MS = 20;
/**
 * Invocations a slow-model child first runs with an instant model: the same code paths, so the
 * JIT reaches the steady state of a long-running agent (the fast modes get there in their warm-up
 * rounds) in seconds instead of minutes of 20 ms sleeps.
 */
export const SLOW_WARM_INVOCATIONS = 100;

export const MODES = [
  'untraced',
  'floor',
  'autolog-mem',
  'autolog-mem-process',
  'autolog-sql',
  'autolog-sql-inline',
  'autolog-sql-reference',
  'autolog-sql-off',
  'langfuse',
  'openinference',
  'sqlite-limit',
] as const;
export type Mode = (typeof MODES)[number];

export interface ChildRequest {
  /** `warm`: SLOW_WARM_INVOCATIONS untimed invocations with an instant model. */
  cmd: 'round' | 'warm' | 'stats' | 'exit';
}

export interface ChildReply {
  ns?: number;
  cpuNs?: number;
  ops?: number;
  /** Spans the round produced, where the mode can count them cheaply (untimed). */
  spans?: number;
  spansPerInvocation?: number;
  callbacksPerInvocation?: number;
  error?: string;
}
