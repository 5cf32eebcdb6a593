import { type Experiment, GraphtraceError, type Page } from '@graphtrace/core';
import { type ExperimentJson, experimentFromJson } from '../convert.js';
import { getOrNull, positiveInt, type ServerContext, V2 } from './context.js';

export async function getOrCreateExperiment(
  ctx: ServerContext,
  name: string,
  tags: Record<string, string> = {},
): Promise<Experiment> {
  if (!name.trim())
    throw new GraphtraceError('INVALID_ARGUMENT', 'experiment name must not be empty');
  const existing = await experimentNamed(ctx, name);
  if (existing) return activeOrExplain(ctx, existing);
  try {
    const { experiment_id } = await ctx.http.json<{ experiment_id: string }>({
      method: 'POST',
      path: `${V2}/experiments/create`,
      json: {
        name,
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      },
      idempotent: false,
    });
    const created = await getExperiment(ctx, experiment_id);
    if (created) return created;
  } catch (err) {
    // Another process created it between our lookup and our create: use theirs.
    if (!(err instanceof GraphtraceError && err.code === 'ALREADY_EXISTS')) throw err;
  }
  const again = await experimentNamed(ctx, name);
  if (!again)
    throw new GraphtraceError('NOT_FOUND', `experiment "${name}" vanished while being created`);
  return activeOrExplain(ctx, again);
}

function activeOrExplain(ctx: ServerContext, e: Experiment): Experiment {
  if (e.lifecycleStage === 'active') return e;
  throw new GraphtraceError(
    'INVALID_ARGUMENT',
    `experiment "${e.name}" (id ${e.experimentId}) is deleted on ${ctx.uri}: restore it (mlflow experiments restore --experiment-id ${e.experimentId}) or use another name`,
  );
}

/** The experiment of that name, active or deleted. */
async function experimentNamed(ctx: ServerContext, name: string): Promise<Experiment | null> {
  const res = await getOrNull<{ experiment: ExperimentJson }>(
    ctx,
    `${V2}/experiments/get-by-name`,
    { experiment_name: name },
  );
  return res ? experimentFromJson(res.experiment) : null;
}

export async function getExperiment(
  ctx: ServerContext,
  experimentId: string,
): Promise<Experiment | null> {
  // MLflow answers INVALID_PARAMETER_VALUE for ids that are not integers: none can exist.
  if (!/^\d+$/.test(experimentId)) return null;
  const res = await getOrNull<{ experiment: ExperimentJson }>(ctx, `${V2}/experiments/get`, {
    experiment_id: experimentId,
  });
  return res ? experimentFromJson(res.experiment) : null;
}

export async function getExperimentByName(
  ctx: ServerContext,
  name: string,
): Promise<Experiment | null> {
  const e = await experimentNamed(ctx, name);
  return e?.lifecycleStage === 'active' ? e : null;
}

export async function searchExperiments(
  ctx: ServerContext,
  query: { maxResults?: number; pageToken?: string | null },
): Promise<Page<Experiment>> {
  const res = await ctx.http.json<{ experiments?: ExperimentJson[]; next_page_token?: string }>({
    method: 'POST',
    path: `${V2}/experiments/search`,
    json: {
      max_results: positiveInt('maxResults', query.maxResults ?? 1000),
      order_by: ['name ASC'],
      view_type: 'ACTIVE_ONLY',
      ...(query.pageToken ? { page_token: query.pageToken } : {}),
    },
    idempotent: true,
  });
  return {
    items: (res.experiments ?? []).map(experimentFromJson),
    nextPageToken: res.next_page_token || null,
  };
}
