import {
  type CreateRunInput,
  GraphtraceError,
  type LogBatchInput,
  type Metric,
  RUN_STATUSES,
  RunTagKey,
  randomRunName,
  type UpdateRunInput,
} from '@graphtrace/core';
import type { StoreContext } from './context.js';
import { activeExperimentForWrite } from './experiments.js';
import { encodeMetricValue, isNewerMetric } from './metric-encoding.js';
import { appendToUri } from './values.js';

// MLflow's validation limits (mlflow/utils/validation.py), not the wider column widths.
const MAX_KEY = 250;
const MAX_PARAM_VALUE = 6000;
const MAX_TAG_VALUE = 8000;
const RUN_ID = /^[0-9a-f]{32}$/;

function invalid(message: string): GraphtraceError {
  return new GraphtraceError('INVALID_ARGUMENT', message);
}

function checkKey(kind: string, key: unknown, index: number): void {
  if (typeof key !== 'string' || key === '')
    throw invalid(`${kind}[${index}].key must be a non-empty string`);
  if (key.length > MAX_KEY)
    throw invalid(
      `${kind}[${index}].key "${key.slice(0, 40)}…" is longer than ${MAX_KEY} characters`,
    );
}

function checkValue(kind: string, key: string, value: unknown, max: number): void {
  if (typeof value !== 'string') throw invalid(`${kind} "${key}" must have a string value`);
  if (value.length > max)
    throw invalid(
      `${kind} "${key}" has a value of ${value.length} characters; MLflow allows at most ${max}`,
    );
}

/** Inside a write transaction: the run, or NOT_FOUND; a deleted run cannot be written to. */
function activeRun(ctx: StoreContext, runId: string): void {
  const row = ctx.conn.stmt('SELECT lifecycle_stage FROM runs WHERE run_uuid = ?').get(runId) as
    | { lifecycle_stage: string | null }
    | undefined;
  if (!row) throw new GraphtraceError('NOT_FOUND', `run ${runId} does not exist in ${ctx.uri}`);
  if (row.lifecycle_stage === 'deleted') {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `run ${runId} is deleted; restore it (mlflow runs restore --run-id ${runId}) before writing to it`,
    );
  }
}

function upsertTag(ctx: StoreContext, runId: string, key: string, value: string): void {
  ctx.conn
    .stmt(
      'INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?) ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value',
    )
    .run(key, value, runId);
  // As MLflow: the run name lives in the column and in the mlflow.runName tag, kept equal.
  if (key === RunTagKey.RUN_NAME)
    ctx.conn.stmt('UPDATE runs SET name = ? WHERE run_uuid = ?').run(value, runId);
}

export async function createRun(ctx: StoreContext, input: CreateRunInput): Promise<string> {
  const tags = input.tags ?? [];
  tags.forEach((t, i) => {
    checkKey('tags', t.key, i);
    checkValue('tag', t.key, t.value, MAX_TAG_VALUE);
  });
  const tagName = tags.find((t) => t.key === RunTagKey.RUN_NAME)?.value;
  if (input.runName !== undefined && tagName !== undefined && input.runName !== tagName) {
    throw invalid(
      `runName "${input.runName}" and the ${RunTagKey.RUN_NAME} tag "${tagName}" differ; give one of them`,
    );
  }
  const runId = input.runId ?? ctx.ids.runId();
  if (!RUN_ID.test(runId)) throw invalid(`run id "${runId}" is not 32 lowercase hex characters`);
  const runName = input.runName ?? tagName ?? randomRunName();
  const startTime = input.startTime ?? ctx.now();
  await ctx.conn.write(() => {
    const experiment = activeExperimentForWrite(ctx, input.experimentId);
    if (ctx.conn.stmt('SELECT 1 FROM runs WHERE run_uuid = ?').get(runId)) {
      throw new GraphtraceError('ALREADY_EXISTS', `run ${runId} already exists in ${ctx.uri}`);
    }
    ctx.conn
      .stmt(
        `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,
           start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
         VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)`,
      )
      .run(
        runId,
        runName,
        input.userId ?? 'unknown',
        startTime,
        appendToUri(experiment.artifactLocation, runId, 'artifacts'),
        experiment.experimentId,
      );
    for (const t of tags) upsertTag(ctx, runId, t.key, t.value);
    if (tagName === undefined) upsertTag(ctx, runId, RunTagKey.RUN_NAME, runName);
  });
  return runId;
}

export async function updateRun(
  ctx: StoreContext,
  runId: string,
  update: UpdateRunInput,
): Promise<void> {
  if (update.status !== undefined && !RUN_STATUSES.includes(update.status))
    throw invalid(`run status must be one of ${RUN_STATUSES.join(', ')}, got "${update.status}"`);
  if (update.endTime !== undefined && !Number.isInteger(update.endTime))
    throw invalid(`endTime must be an integer (ms since epoch), got ${update.endTime}`);
  await ctx.conn.write(() => {
    activeRun(ctx, runId);
    if (update.status !== undefined)
      ctx.conn.stmt('UPDATE runs SET status = ? WHERE run_uuid = ?').run(update.status, runId);
    if (update.endTime !== undefined)
      ctx.conn.stmt('UPDATE runs SET end_time = ? WHERE run_uuid = ?').run(update.endTime, runId);
    if (update.runName) upsertTag(ctx, runId, RunTagKey.RUN_NAME, update.runName);
  });
}

interface StoredMetric {
  key: string;
  value: number;
  isNan: 0 | 1;
  timestamp: number;
  step: number;
}

function checkMetric(m: Metric, i: number): StoredMetric {
  checkKey('metrics', m.key, i);
  if (typeof m.value !== 'number') throw invalid(`metric "${m.key}" must have a numeric value`);
  if (!Number.isSafeInteger(m.timestamp))
    throw invalid(
      `metric "${m.key}" needs an integer timestamp (ms since epoch), got ${m.timestamp}`,
    );
  if (!Number.isSafeInteger(m.step))
    throw invalid(`metric "${m.key}" needs an integer step, got ${m.step}`);
  const { value, isNan } = encodeMetricValue(m.value);
  return { key: m.key, value, isNan, timestamp: m.timestamp, step: m.step };
}

/**
 * Params (write-once), metrics (history + latest) and tags in one transaction: a param
 * conflict rejects the whole batch and nothing of it is written.
 */
export async function logBatch(
  ctx: StoreContext,
  runId: string,
  batch: LogBatchInput,
): Promise<void> {
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  const byKey = new Map<string, string>();
  params.forEach((p, i) => {
    checkKey('params', p.key, i);
    checkValue('param', p.key, p.value, MAX_PARAM_VALUE);
    const seen = byKey.get(p.key);
    if (seen !== undefined && seen !== p.value)
      throw invalid(
        `param "${p.key}" appears twice in the batch with different values ("${seen}" and "${p.value}")`,
      );
    byKey.set(p.key, p.value);
  });
  tags.forEach((t, i) => {
    checkKey('tags', t.key, i);
    checkValue('tag', t.key, t.value, MAX_TAG_VALUE);
  });
  const metrics = (batch.metrics ?? []).map(checkMetric);
  const { conn } = ctx;

  await conn.write(() => {
    activeRun(ctx, runId);
    const existing = conn.stmt('SELECT value FROM params WHERE run_uuid = ? AND key = ?');
    const insertParam = conn.stmt('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)');
    for (const [key, value] of byKey) {
      const old = existing.get(runId, key) as { value: string } | undefined;
      if (old === undefined) insertParam.run(key, value, runId);
      else if (old.value !== value) {
        throw invalid(
          `param "${key}" of run ${runId} is already "${old.value}" and cannot change to "${value}": params are write-once (log a new run, or use a metric or tag for values that change). Nothing of this batch was written.`,
        );
      }
    }

    if (metrics.length > 0) {
      // The PK includes value and is_nan: an identical observation logged again is ignored.
      const insertMetric = conn.stmt(
        'INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const newest = new Map<string, StoredMetric>();
      for (const m of metrics) {
        insertMetric.run(m.key, m.value, m.timestamp, runId, m.step, m.isNan);
        const best = newest.get(m.key);
        if (!best || isNewerMetric(m, best)) newest.set(m.key, m);
      }
      const latest = conn.stmt(
        'SELECT value, timestamp, step FROM latest_metrics WHERE run_uuid = ? AND key = ?',
      );
      const upsertLatest = conn.stmt(
        `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp,
           step = excluded.step, is_nan = excluded.is_nan`,
      );
      for (const m of newest.values()) {
        const current = latest.get(runId, m.key) as
          | { value: number; timestamp: number | null; step: number }
          | undefined;
        if (
          !current ||
          isNewerMetric(m, {
            value: current.value,
            timestamp: current.timestamp ?? 0,
            step: current.step,
          })
        ) {
          upsertLatest.run(m.key, m.value, m.timestamp, m.step, m.isNan, runId);
        }
      }
    }

    for (const t of tags) upsertTag(ctx, runId, t.key, t.value);
  });
}
