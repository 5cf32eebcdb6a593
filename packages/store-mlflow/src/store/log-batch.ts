import type { LogBatchInput, Metric, Param, RunTag } from '@graphtrace/core';

/** MLflow's LogBatch limits (mlflow/utils/validation.py), and a margin under its 1 MB body cap. */
export const LOG_BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  total: 1000,
  bytes: 900_000,
} as const;

interface BatchChunk {
  params: Param[];
  tags: RunTag[];
  metrics: Metric[];
}

/**
 * Splits a batch into requests MLflow accepts: ≤ 100 params, ≤ 100 tags, ≤ 1000 metrics and
 * ≤ 1000 items in all per request, and under its request size cap. Params go first so a
 * write-once conflict is refused before metrics of the same batch are logged.
 */
export function splitLogBatch(batch: LogBatchInput): BatchChunk[] {
  const chunks: BatchChunk[] = [];
  let cur: BatchChunk = { params: [], tags: [], metrics: [] };
  let bytes = 0;
  const flush = () => {
    if (cur.params.length + cur.tags.length + cur.metrics.length > 0) chunks.push(cur);
    cur = { params: [], tags: [], metrics: [] };
    bytes = 0;
  };
  const add = <K extends keyof BatchChunk>(kind: K, item: BatchChunk[K][number], limit: number) => {
    const size = JSON.stringify(item).length + 8;
    const total = cur.params.length + cur.tags.length + cur.metrics.length;
    if (
      cur[kind].length >= limit ||
      total >= LOG_BATCH_LIMITS.total ||
      bytes + size > LOG_BATCH_LIMITS.bytes
    )
      flush();
    (cur[kind] as BatchChunk[K][number][]).push(item);
    bytes += size;
  };
  for (const p of batch.params ?? []) add('params', p, LOG_BATCH_LIMITS.params);
  for (const t of batch.tags ?? []) add('tags', t, LOG_BATCH_LIMITS.tags);
  for (const m of batch.metrics ?? []) add('metrics', m, LOG_BATCH_LIMITS.metrics);
  flush();
  return chunks;
}
