import { type Experiment, GraphtraceError, type LifecycleStage, type Page } from '@graphtrace/core';
import { sql } from 'kysely';
import type { StoreContext } from './context.js';
import { decodePosition, encodePosition, searchFingerprint } from './page-tokens.js';
import { appendToUri, checkMaxResults, experimentIdNumber, parseStringMap } from './values.js';

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string | null;
  creation_time: number | null;
  last_update_time: number | null;
  tags: string | null;
}

function toExperiment(row: ExperimentRow): Experiment {
  return {
    experimentId: String(row.experiment_id),
    name: row.name,
    artifactLocation: row.artifact_location ?? '',
    lifecycleStage: (row.lifecycle_stage ?? 'active') as LifecycleStage,
    creationTime: row.creation_time,
    lastUpdateTime: row.last_update_time,
    tags: parseStringMap(row.tags),
  };
}

function selectExperiments(ctx: StoreContext) {
  return ctx.conn.kysely
    .selectFrom('experiments')
    .select([
      'experiments.experiment_id',
      'experiments.name',
      'experiments.artifact_location',
      'experiments.lifecycle_stage',
      'experiments.creation_time',
      'experiments.last_update_time',
      sql<
        string | null
      >`(SELECT json_group_object(t.key, t.value) FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id)`.as(
        'tags',
      ),
    ]);
}

export async function getExperiment(ctx: StoreContext, id: string): Promise<Experiment | null> {
  const n = experimentIdNumber(id);
  if (n === null) return null;
  const row = await ctx.conn.read(() =>
    selectExperiments(ctx).where('experiments.experiment_id', '=', n).executeTakeFirst(),
  );
  return row ? toExperiment(row) : null;
}

/** The active experiment of that name (names are unique, deleted ones included). */
export async function getExperimentByName(
  ctx: StoreContext,
  name: string,
): Promise<Experiment | null> {
  const row = await ctx.conn.read(() =>
    selectExperiments(ctx).where('experiments.name', '=', name).executeTakeFirst(),
  );
  return row && row.lifecycle_stage !== 'deleted' ? toExperiment(row) : null;
}

/** MLflow's limit on experiment names (the column says 256, MLflow validates 500). */
const MAX_EXPERIMENT_NAME = 500;

export async function getOrCreateExperiment(
  ctx: StoreContext,
  name: string,
  tags: Record<string, string> = {},
): Promise<Experiment> {
  if (typeof name !== 'string' || name.trim() === '')
    throw new GraphtraceError('INVALID_ARGUMENT', 'experiment name must not be empty');
  if (name.length > MAX_EXPERIMENT_NAME) {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `experiment name is ${name.length} characters long; MLflow allows at most ${MAX_EXPERIMENT_NAME}`,
    );
  }
  const existing = await getExperimentByName(ctx, name);
  if (existing) return existing;
  const { conn } = ctx;
  // Check and insert in one IMMEDIATE transaction: two processes cannot both create the name.
  const id = await conn.write(() => {
    const row = conn
      .stmt('SELECT experiment_id, lifecycle_stage FROM experiments WHERE name = ?')
      .get(name) as { experiment_id: number; lifecycle_stage: string | null } | undefined;
    if (row) {
      if (row.lifecycle_stage === 'deleted') {
        throw new GraphtraceError(
          'ALREADY_EXISTS',
          `experiment "${name}" (id ${row.experiment_id}) exists in ${ctx.uri} but is deleted: restore it (mlflow experiments restore --experiment-id ${row.experiment_id}) or use another name`,
        );
      }
      return row.experiment_id;
    }
    const t = ctx.now();
    // As MLflow does: insert to get the id, then record `<artifact root>/<id>`.
    const info = conn
      .stmt(
        "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, NULL, 'active', ?, ?)",
      )
      .run(name, t, t);
    const newId = Number(info.lastInsertRowid);
    conn
      .stmt('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?')
      .run(appendToUri(ctx.artifactRoot, String(newId)), newId);
    const insertTag = conn.stmt(
      'INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, ?, ?)',
    );
    for (const [k, v] of Object.entries(tags)) insertTag.run(k, v, newId);
    return newId;
  });
  const created = await getExperiment(ctx, String(id));
  if (!created) throw new GraphtraceError('NOT_FOUND', `experiment ${id} vanished from ${ctx.uri}`);
  return created;
}

export async function searchExperiments(
  ctx: StoreContext,
  query: { maxResults?: number; pageToken?: string | null },
): Promise<Page<Experiment>> {
  const maxResults = query.maxResults ?? 1000;
  checkMaxResults(maxResults, 50_000);
  const fingerprint = searchFingerprint(['experiments']);
  const position = decodePosition(query.pageToken, fingerprint, 1);
  let q = selectExperiments(ctx)
    .where((eb) =>
      eb.or([
        eb('experiments.lifecycle_stage', '=', 'active'),
        eb('experiments.lifecycle_stage', 'is', null),
      ]),
    )
    .orderBy('experiments.name')
    .limit(maxResults + 1);
  // Names are unique, so the last name seen is a keyset position.
  if (position.kind === 'after') q = q.where('experiments.name', '>', String(position.key[0]));
  else if (position.kind === 'offset') q = q.offset(position.offset);
  const rows = await ctx.conn.read(() => q.execute());
  const items = rows.slice(0, maxResults).map(toExperiment);
  const last = items[items.length - 1];
  return {
    items,
    nextPageToken:
      rows.length > maxResults && last
        ? encodePosition(fingerprint, { kind: 'after', key: [last.name] })
        : null,
  };
}

/** Inside a write transaction: the experiment's artifact location, or NOT_FOUND. */
export function activeExperimentForWrite(
  ctx: StoreContext,
  experimentId: string | number,
): { experimentId: number; artifactLocation: string } {
  const n = typeof experimentId === 'number' ? experimentId : experimentIdNumber(experimentId);
  const row =
    n === null
      ? undefined
      : (ctx.conn
          .stmt(
            'SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?',
          )
          .get(n) as
          | { artifact_location: string | null; lifecycle_stage: string | null }
          | undefined);
  if (!row || row.lifecycle_stage === 'deleted' || n === null) {
    throw new GraphtraceError(
      'NOT_FOUND',
      `experiment ${experimentId} ${row ? 'is deleted' : 'does not exist'} in ${ctx.uri}: create it with getOrCreateExperiment() or pick another experiment`,
    );
  }
  return {
    experimentId: n,
    artifactLocation: row.artifact_location ?? appendToUri(ctx.artifactRoot, String(n)),
  };
}
