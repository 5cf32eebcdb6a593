import type { Connection } from './connection.js';

/**
 * MLflow 3.17's daily rollups (`sql_*_daily_rollups`) are built by a server job for days that
 * are over; a write that lands in such a day must queue that day's rebuild, or the rollup stays
 * stale. MLflow queues only when its rollups are switched on; graphtrace always does (for days
 * over a day old, as MLflow), which is harmless when they are off and never leaves one stale.
 */
export type RollupFamily = 'trace_metric' | 'span_cost' | 'assessment';

const ELIGIBILITY_LAG_MS = 86_400_000;

export interface RollupPartition {
  experimentId: number;
  timestampMs: number;
  family: RollupFamily;
}

/** Whether a time is old enough for its day to be rolled up (only those days need queueing). */
export function rollupEligible(timestampMs: number, now: number): boolean {
  return timestampMs <= now - ELIGIBILITY_LAG_MS;
}

export function enqueueRollups(
  conn: Connection,
  partitions: readonly RollupPartition[],
  now: number,
): void {
  for (const p of partitions) {
    if (!rollupEligible(p.timestampMs, now)) continue;
    conn
      .stmt(
        `INSERT OR IGNORE INTO sql_trace_rollup_rebuild_queue (experiment_id, rollup_day, rollup_family)
         VALUES (?, ?, ?)`,
      )
      .run(p.experimentId, new Date(p.timestampMs).toISOString().slice(0, 10), p.family);
  }
}
