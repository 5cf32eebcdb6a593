/** What the autolog-react parent and its one-process-per-mode children say to each other. */

export const TOOL_ROUNDS = 10;
export const INVOCATIONS_PER_ROUND = 20;
// Each round ends with a flush, which waits for the last trace's write: enough invocations per
// round that this one write does not stand for the steady state.
export const SLOW_INVOCATIONS_PER_ROUND = 5;
export const SLOW_LATENCY_MS = 20;

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
  cmd: 'round' | 'stats' | 'exit';
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
