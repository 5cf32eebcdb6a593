import { SpanAttributeKey, TraceMetadataKey, TraceTagKey } from '@graphtrace/core';
import type BetterSqlite3 from 'better-sqlite3';
import {
  COST_COLUMNS,
  MODEL_MAX_CHARS,
  SESSION_ID_MAX_CHARS,
  TOKEN_COLUMNS,
  TRACE_NAME_MAX_CHARS,
} from '../../store/analytics-columns.js';
import {
  assessmentAggregate,
  boundedString,
  finiteFloatOrNone,
  jsonObject,
  parseJsonLoose,
  tokenCountOrNone,
} from '../../store/mlflow-values.js';

const GATEWAY_ENDPOINT_KEY = 'mlflow.gateway.endpointId';
const DIMENSION_KEYS = new Set<string>([SpanAttributeKey.MODEL, SpanAttributeKey.MODEL_PROVIDER]);

function fail(message: string): never {
  throw new Error(message);
}

/** A span's `dimension_attributes`, checked as MLflow's migration checks it before dropping it. */
function dimensions(raw: unknown, key: string): Record<string, unknown> {
  if (raw === null || raw === undefined) return {};
  let value = typeof raw === 'string' ? parseJsonLoose(raw) : raw;
  if (value === undefined)
    fail(`Cannot drop spans.dimension_attributes: malformed JSON for span ${key}`);
  // SQLAlchemy's JSON column decodes once; a string inside is decoded again by the migration.
  if (typeof value === 'string') {
    value = parseJsonLoose(value);
    if (value === undefined)
      fail(`Cannot drop spans.dimension_attributes: malformed JSON for span ${key}`);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    fail(
      `Cannot drop spans.dimension_attributes: unsupported content for span ${key}: ${Array.isArray(value) ? 'list' : typeof value}`,
    );
  const entries = Object.entries(value as Record<string, unknown>);
  const bad = entries
    .filter(([k, v]) => !DIMENSION_KEYS.has(k) || (v !== null && typeof v !== 'string'))
    .map(([k]) => k)
    .sort();
  if (bad.length > 0)
    fail(`Cannot drop spans.dimension_attributes: unsupported content for span ${key}: ${bad}`);
  return value as Record<string, unknown>;
}

/**
 * MLflow 3.17's `75868b020152` on the rows, after the schema moved: trace name, session, token
 * counts and costs from tags, metadata and trace_metrics into `trace_info` columns (a
 * trace_metrics row wins over the token usage JSON, even when it holds no count), span model,
 * provider and costs from `dimension_attributes` and `span_metrics` into `spans` columns, a
 * gateway trace's missing total cost summed from its spans, assessment analytics from their
 * traces and values; then the rows the columns replace are deleted. It fails, as MLflow's does,
 * on spans or assessments of a missing trace and on dimension attributes it cannot read.
 *
 * `oldSpans` names the pre-migration copy of `spans` (which still has `dimension_attributes`).
 */
/** Every row of a keyset-paged (trace_id, span_id) query, a page at a time. */
function* pages(
  page: BetterSqlite3.Statement,
): Generator<{ trace_id: string; span_id: string; dims: unknown }> {
  let after: [string, string] = ['', ''];
  for (;;) {
    const rows = page.all(...after) as { trace_id: string; span_id: string; dims: unknown }[];
    if (rows.length === 0) return;
    yield* rows;
    const last = rows[rows.length - 1]!;
    after = [last.trace_id, last.span_id];
  }
}

export function backfillTraceAnalytics(db: BetterSqlite3.Database, oldSpans: string | null): void {
  for (const child of ['spans', 'assessments'] as const) {
    const orphan = db
      .prepare(
        `SELECT c.trace_id AS id FROM ${child} c LEFT JOIN trace_info t ON t.request_id = c.trace_id
         WHERE t.request_id IS NULL LIMIT 1`,
      )
      .get() as { id: string } | undefined;
    if (orphan)
      fail(
        `Cannot backfill trace analytics: ${child} row references missing trace_info row '${orphan.id}'`,
      );
  }

  const tokenKeys = TOKEN_COLUMNS as readonly string[];
  const tag = db.prepare('SELECT value FROM trace_tags WHERE request_id = ? AND key = ?').pluck();
  const meta = db
    .prepare('SELECT value FROM trace_request_metadata WHERE request_id = ? AND key = ?')
    .pluck();
  const metrics = db.prepare(
    `SELECT key, value FROM trace_metrics WHERE request_id = ? AND key IN (${tokenKeys.map(() => '?').join(', ')})`,
  );
  const setTrace = db.prepare(
    `UPDATE trace_info SET trace_name = ?, session_id = ?, ${[...TOKEN_COLUMNS, ...COST_COLUMNS]
      .map((c) => `${c} = ?`)
      .join(', ')} WHERE request_id = ?`,
  );
  const traceIds = db.prepare('SELECT request_id FROM trace_info ORDER BY request_id').pluck();
  // Read whole lists or pages before writing: a connection cannot write while it iterates.
  for (const id of traceIds.all() as string[]) {
    const fromMetrics = new Map(
      (metrics.all(id, ...tokenKeys) as { key: string; value: unknown }[]).map((r) => [
        r.key,
        r.value,
      ]),
    );
    const usage = jsonObject(meta.get(id, TraceMetadataKey.TOKEN_USAGE));
    const cost = jsonObject(meta.get(id, TraceMetadataKey.COST));
    setTrace.run(
      boundedString(tag.get(id, TraceTagKey.TRACE_NAME), TRACE_NAME_MAX_CHARS),
      boundedString(meta.get(id, TraceMetadataKey.SESSION), SESSION_ID_MAX_CHARS),
      ...TOKEN_COLUMNS.map((c) =>
        tokenCountOrNone(fromMetrics.has(c) ? fromMetrics.get(c) : usage[c]),
      ),
      ...COST_COLUMNS.map((c) => finiteFloatOrNone(cost[c])),
      id,
    );
  }

  const costKeys = COST_COLUMNS as readonly string[];
  const spanCosts = db.prepare(
    `SELECT key, value FROM span_metrics WHERE trace_id = ? AND span_id = ? AND key IN (${costKeys.map(() => '?').join(', ')})`,
  );
  const setSpan = db.prepare(
    `UPDATE spans SET input_cost = ?, output_cost = ?, total_cost = ?, model_name = ?,
       model_provider = ? WHERE trace_id = ? AND span_id = ?`,
  );
  const spanPage = db.prepare(
    `SELECT s.trace_id, s.span_id, ${oldSpans ? 'o.dimension_attributes' : 'NULL'} AS dims
     FROM spans s ${
       oldSpans
         ? `LEFT JOIN "${oldSpans}" o ON o.trace_id = s.trace_id AND o.span_id = s.span_id`
         : ''
     }
     WHERE (s.trace_id, s.span_id) > (?, ?) ORDER BY s.trace_id, s.span_id LIMIT 1000`,
  );
  for (const s of pages(spanPage)) {
    const dims = dimensions(s.dims, `('${s.trace_id}', '${s.span_id}')`);
    const costs = new Map(
      (spanCosts.all(s.trace_id, s.span_id, ...costKeys) as { key: string; value: unknown }[]).map(
        (r) => [r.key, finiteFloatOrNone(r.value)],
      ),
    );
    const model = boundedString(dims[SpanAttributeKey.MODEL], MODEL_MAX_CHARS);
    const provider = boundedString(dims[SpanAttributeKey.MODEL_PROVIDER], MODEL_MAX_CHARS);
    if (model === null && provider === null && costs.size === 0) continue;
    setSpan.run(
      ...COST_COLUMNS.map((c) => costs.get(c) ?? null),
      model,
      provider,
      s.trace_id,
      s.span_id,
    );
  }

  // A gateway trace without a total cost takes its spans' sum, added in span order as SQLite
  // before 3.43 (the one in most Pythons) adds.
  const gatewayTraces = db
    .prepare(
      `SELECT t.request_id FROM trace_info t WHERE t.total_cost IS NULL AND EXISTS (
         SELECT 1 FROM trace_request_metadata m WHERE m.request_id = t.request_id AND m.key = ?)`,
    )
    .pluck()
    .all(GATEWAY_ENDPOINT_KEY) as string[];
  const spanTotals = db
    .prepare(
      'SELECT total_cost FROM spans WHERE trace_id = ? AND total_cost IS NOT NULL ORDER BY span_id',
    )
    .pluck();
  const setTotal = db.prepare('UPDATE trace_info SET total_cost = ? WHERE request_id = ?');
  for (const id of gatewayTraces) {
    const values = spanTotals.all(id) as number[];
    if (values.length > 0)
      setTotal.run(
        values.reduce((a, b) => a + b, 0),
        id,
      );
  }

  const setAssessment = db.prepare(
    `UPDATE assessments SET experiment_id = ?, trace_timestamp_ms = ?, aggregate_value = ?,
       is_numeric_value = ? WHERE assessment_id = ?`,
  );
  const assessments = db.prepare(
    `SELECT a.assessment_id, a.value, t.experiment_id, t.timestamp_ms FROM assessments a
       JOIN trace_info t ON t.request_id = a.trace_id ORDER BY a.assessment_id`,
  );
  for (const a of assessments.all() as {
    assessment_id: string;
    value: string | null;
    experiment_id: number;
    timestamp_ms: number;
  }[]) {
    const { aggregate, numeric } = assessmentAggregate(a.value);
    setAssessment.run(a.experiment_id, a.timestamp_ms, aggregate, numeric, a.assessment_id);
  }

  // The rows the columns replace.
  db.prepare('DELETE FROM trace_tags WHERE key = ?').run(TraceTagKey.TRACE_NAME);
  db.prepare('DELETE FROM trace_request_metadata WHERE key IN (?, ?, ?)').run(
    TraceMetadataKey.SESSION,
    TraceMetadataKey.TOKEN_USAGE,
    TraceMetadataKey.COST,
  );
  db.prepare(`DELETE FROM trace_metrics WHERE key IN (${tokenKeys.map(() => '?').join(', ')})`).run(
    ...tokenKeys,
  );
  db.prepare(`DELETE FROM span_metrics WHERE key IN (${costKeys.map(() => '?').join(', ')})`).run(
    ...costKeys,
  );
}
