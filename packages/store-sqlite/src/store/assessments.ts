import {
  type Assessment,
  type AssessmentSourceType,
  GraphtraceError,
  type NewAssessment,
} from '@graphtrace/core';
import type { AssessmentsTable } from '../schema/database.js';
import type { StoreContext } from './context.js';
import { assessmentAggregate } from './mlflow-values.js';
import { enqueueRollups } from './rollup-queue.js';

/** A row of MLflow's `assessments` table (no generated columns, so the table type is the row). */
export type AssessmentRow = AssessmentsTable;

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toAssessment(row: AssessmentRow): Assessment {
  const metadata = parseJson(row.assessment_metadata);
  const base = {
    assessmentId: row.assessment_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    name: row.name,
    source: {
      sourceType: row.source_type as AssessmentSourceType,
      sourceId: row.source_id ?? '',
    },
    rationale: row.rationale,
    metadata:
      metadata && typeof metadata === 'object'
        ? Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, String(v)]))
        : {},
    runId: row.run_id,
    createTime: row.created_timestamp,
    lastUpdateTime: row.last_updated_timestamp,
    valid: Number(row.valid) === 1,
    overriddenAssessmentId: row.overrides,
    value: parseJson(row.value),
  };
  if (row.assessment_type === 'expectation') return { ...base, kind: 'expectation' };
  const error = parseJson(row.error) as {
    error_code?: string;
    error_message?: string | null;
  } | null;
  return {
    ...base,
    kind: 'feedback',
    error: error?.error_code
      ? {
          errorCode: error.error_code,
          ...(error.error_message ? { errorMessage: error.error_message } : {}),
        }
      : null,
  };
}

/** A feedback or expectation row in MLflow's `assessments` table. The trace must exist. */
export async function createAssessment(ctx: StoreContext, a: NewAssessment): Promise<Assessment> {
  if (a.kind !== 'feedback' && a.kind !== 'expectation')
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `assessment kind must be feedback or expectation, got ${JSON.stringify((a as { kind: unknown }).kind)}`,
    );
  if (typeof a.name !== 'string' || a.name === '' || a.name.length > 250)
    throw new GraphtraceError('INVALID_ARGUMENT', 'assessment name must be 1 to 250 characters');
  const assessmentId = a.assessmentId ?? `a-${ctx.ids.assessmentId()}`;
  const t = a.createTime ?? ctx.now();
  const error =
    a.kind === 'feedback' && a.error
      ? JSON.stringify({
          error_code: a.error.errorCode,
          error_message: a.error.errorMessage ?? null,
          stack_trace: null,
        })
      : null;
  const metadata =
    a.metadata && Object.keys(a.metadata).length > 0 ? JSON.stringify(a.metadata) : null;
  const { conn } = ctx;
  const valueJson = JSON.stringify(a.value ?? null);
  const row = await conn.write(() => {
    const trace = conn
      .stmt('SELECT experiment_id, timestamp_ms FROM trace_info WHERE request_id = ?')
      .get(a.traceId) as { experiment_id: number; timestamp_ms: number } | undefined;
    if (!trace) {
      throw new GraphtraceError(
        'NOT_FOUND',
        `trace ${a.traceId} does not exist in ${ctx.uri}: flush traces before assessing them`,
      );
    }
    if (conn.stmt('SELECT 1 FROM assessments WHERE assessment_id = ?').get(assessmentId))
      throw new GraphtraceError(
        'ALREADY_EXISTS',
        `assessment ${assessmentId} already exists in ${ctx.uri}`,
      );
    conn
      .stmt(
        `INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value, error,
           created_timestamp, last_updated_timestamp, source_type, source_id, run_id, span_id,
           rationale, overrides, valid, assessment_metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, ?)`,
      )
      .run(
        assessmentId,
        a.traceId,
        a.name,
        a.kind,
        valueJson,
        error,
        t,
        t,
        a.source.sourceType,
        a.source.sourceId,
        a.runId ?? null,
        a.spanId ?? null,
        a.rationale ?? null,
        metadata,
      );
    if (conn.layout.traceAnalytics) {
      // MLflow 3.17 keeps the trace's experiment and time and a numeric reading on the row.
      const { aggregate, numeric } = assessmentAggregate(valueJson);
      conn
        .stmt(
          `UPDATE assessments SET experiment_id = ?, trace_timestamp_ms = ?, aggregate_value = ?,
             is_numeric_value = ? WHERE assessment_id = ?`,
        )
        .run(trace.experiment_id, trace.timestamp_ms, aggregate, numeric, assessmentId);
      enqueueRollups(
        conn,
        [
          {
            experimentId: trace.experiment_id,
            timestampMs: trace.timestamp_ms,
            family: 'assessment',
          },
        ],
        ctx.now(),
      );
    }
    return conn
      .stmt('SELECT * FROM assessments WHERE assessment_id = ?')
      .get(assessmentId) as AssessmentRow;
  });
  return toAssessment(row);
}

export async function getAssessments(ctx: StoreContext, traceId: string): Promise<Assessment[]> {
  const rows = await ctx.conn.read(() =>
    ctx.conn.kysely
      .selectFrom('assessments')
      .selectAll()
      .where('trace_id', '=', traceId)
      .orderBy('created_timestamp')
      .orderBy('assessment_id')
      .execute(),
  );
  return rows.map((r) => toAssessment(r as AssessmentRow));
}
