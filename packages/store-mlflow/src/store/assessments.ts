import { type Assessment, GraphtraceError, type NewAssessment } from '@graphtrace/core';
import { type AssessmentJson, assessmentFromJson, assessmentToJson } from '../convert.js';
import { type ServerContext, V3 } from './context.js';
import { traceInfoJson } from './read-traces.js';

export async function createAssessment(
  ctx: ServerContext,
  assessment: NewAssessment,
): Promise<Assessment> {
  try {
    const res = await ctx.http.json<{ assessment: AssessmentJson }>({
      method: 'POST',
      path: `${V3}/traces/${encodeURIComponent(assessment.traceId)}/assessments`,
      json: { assessment: assessmentToJson(assessment) },
      idempotent: false,
    });
    return assessmentFromJson(res.assessment);
  } catch (err) {
    // MLflow 3.10–3.13 report a missing trace as a failed foreign key (INVALID_PARAMETER_VALUE).
    if (
      err instanceof GraphtraceError &&
      err.code === 'INVALID_ARGUMENT' &&
      (await traceInfoJson(ctx, assessment.traceId)) === null
    )
      throw new GraphtraceError(
        'NOT_FOUND',
        `trace ${assessment.traceId} does not exist on ${ctx.uri}: flush traces before assessing them`,
        { cause: err },
      );
    throw err;
  }
}

/** Assessments come with the trace info: one request. */
export async function getAssessments(ctx: ServerContext, traceId: string): Promise<Assessment[]> {
  const json = await traceInfoJson(ctx, traceId);
  return (json?.assessments ?? []).map(assessmentFromJson);
}
