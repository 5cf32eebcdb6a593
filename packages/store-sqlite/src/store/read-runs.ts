import {
  GraphtraceError,
  type LifecycleStage,
  type Metric,
  type Page,
  parseFilter,
  parseOrderBy,
  type Run,
  type RunInfo,
  type RunStatus,
  RunTagKey,
  type SearchRunsQuery,
} from '@graphtrace/core';
import { sql } from 'kysely';
import { compileRunFilter, compileRunOrder } from './compile-filter.js';
import type { StoreContext } from './context.js';
import { decodeMetricValue } from './metric-encoding.js';
import { badPosition, decodePosition, nextPageToken, searchFingerprint } from './page-tokens.js';
import { checkMaxResults, experimentIdNumber, parseStringMap } from './values.js';

interface RunRow {
  run_uuid: string;
  name: string | null;
  user_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number | null;
}

const RUN_COLUMNS = [
  'runs.run_uuid',
  'runs.name',
  'runs.user_id',
  'runs.status',
  'runs.start_time',
  'runs.end_time',
  'runs.lifecycle_stage',
  'runs.artifact_uri',
  'runs.experiment_id',
] as const;

function toRunInfo(row: RunRow, tags: Record<string, string>): RunInfo {
  return {
    runId: row.run_uuid,
    experimentId: String(row.experiment_id ?? ''),
    // Runs of MLflow ≤ 1.29 have no name column value: the tag holds it.
    runName: row.name ?? tags[RunTagKey.RUN_NAME] ?? '',
    userId: row.user_id ?? '',
    status: (row.status ?? 'RUNNING') as RunStatus,
    startTime: row.start_time ?? 0,
    endTime: row.end_time,
    artifactUri: row.artifact_uri ?? '',
    lifecycleStage: (row.lifecycle_stage ?? 'active') as LifecycleStage,
  };
}

/** Params, tags and latest metrics of these runs, in three queries whatever their number. */
async function loadRuns(ctx: StoreContext, rows: RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const k = ctx.conn.kysely;
  const [maps, metrics] = await ctx.conn.read(() =>
    Promise.all([
      k
        .selectFrom('runs')
        .select([
          'runs.run_uuid',
          sql<
            string | null
          >`(SELECT json_group_object(p.key, p.value) FROM params p WHERE p.run_uuid = runs.run_uuid)`.as(
            'params',
          ),
          sql<
            string | null
          >`(SELECT json_group_object(t.key, t.value) FROM tags t WHERE t.run_uuid = runs.run_uuid)`.as(
            'tags',
          ),
        ])
        .where('runs.run_uuid', 'in', ids)
        .execute(),
      // Metric values stay out of JSON: SQLite's JSON text rounds doubles.
      k
        .selectFrom('latest_metrics')
        .select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan'])
        .where('run_uuid', 'in', ids)
        .orderBy('key')
        .execute(),
    ]),
  );
  const byId = new Map(maps.map((m) => [m.run_uuid, m]));
  const metricsById = new Map<string, Metric[]>();
  for (const m of metrics) {
    const list = metricsById.get(m.run_uuid) ?? [];
    list.push({
      key: m.key,
      value: decodeMetricValue(m.value, m.is_nan),
      timestamp: m.timestamp ?? 0,
      step: m.step,
    });
    metricsById.set(m.run_uuid, list);
  }
  return rows.map((row) => {
    const tags = parseStringMap(byId.get(row.run_uuid)?.tags);
    return {
      info: toRunInfo(row, tags),
      data: {
        params: parseStringMap(byId.get(row.run_uuid)?.params),
        metrics: metricsById.get(row.run_uuid) ?? [],
        tags,
      },
    };
  });
}

export async function getRun(ctx: StoreContext, runId: string): Promise<Run | null> {
  const row = await ctx.conn.read(() =>
    ctx.conn.kysely
      .selectFrom('runs')
      .select(RUN_COLUMNS)
      .where('runs.run_uuid', '=', runId)
      .executeTakeFirst(),
  );
  if (!row) return null;
  return (await loadRuns(ctx, [row]))[0]!;
}

export async function searchRuns(ctx: StoreContext, query: SearchRunsQuery): Promise<Page<Run>> {
  const filter = parseFilter(query.filter, 'runs');
  const terms = parseOrderBy(query.orderBy, 'runs');
  const maxResults = query.maxResults ?? 1000;
  checkMaxResults(maxResults, 50_000);
  const experimentIds = query.experimentIds
    .map(experimentIdNumber)
    .filter((n): n is number => n !== null);
  const fingerprint = searchFingerprint([
    'runs',
    [...experimentIds].sort(),
    query.filter ?? '',
    query.orderBy ?? [],
  ]);
  // The default order (start_time DESC, run_uuid) pages by keyset, any other by offset.
  const keyset = terms.length === 0;
  const position = decodePosition(query.pageToken, fingerprint, 2);
  if (experimentIds.length === 0) return { items: [], nextPageToken: null };

  let q = ctx.conn.kysely
    .selectFrom('runs')
    .select(RUN_COLUMNS)
    .where('runs.experiment_id', 'in', experimentIds)
    .where('runs.lifecycle_stage', '=', 'active');
  for (const clause of compileRunFilter(filter)) q = q.where(clause);
  const order = compileRunOrder(terms);
  for (const s of order.selects) q = q.select(s.expression.as(s.alias));
  for (const o of order.orders) q = q.orderBy(o.expression, o.direction);

  if (position.kind === 'after') {
    if (!keyset) throw badPosition();
    const [start, id] = position.key as [number | null, string];
    // start_time DESC puts NULL last in SQLite; the run id breaks ties.
    q =
      start === null
        ? q.where((eb) => eb.and([eb('runs.start_time', 'is', null), eb('runs.run_uuid', '>', id)]))
        : q.where((eb) =>
            eb.or([
              eb('runs.start_time', '<', start),
              eb.and([eb('runs.start_time', '=', start), eb('runs.run_uuid', '>', id)]),
              eb('runs.start_time', 'is', null),
            ]),
          );
  } else if (position.kind === 'offset') {
    if (keyset) throw badPosition();
    q = q.offset(position.offset);
  }
  const rows = (await ctx.conn.read(() => q.limit(maxResults + 1).execute())) as RunRow[];
  return {
    items: await loadRuns(ctx, rows.slice(0, maxResults)),
    nextPageToken: nextPageToken(
      fingerprint,
      position,
      rows,
      maxResults,
      keyset ? (last) => [last.start_time, last.run_uuid] : null,
    ),
  };
}

export async function getMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
): Promise<Metric[]> {
  const k = ctx.conn.kysely;
  const [run, rows] = await ctx.conn.read(() =>
    Promise.all([
      k.selectFrom('runs').select('run_uuid').where('run_uuid', '=', runId).executeTakeFirst(),
      k
        .selectFrom('metrics')
        .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
        .where('run_uuid', '=', runId)
        .where('key', '=', key)
        .orderBy('timestamp')
        .orderBy('step')
        .orderBy('value')
        .execute(),
    ]),
  );
  if (!run) throw new GraphtraceError('NOT_FOUND', `run ${runId} does not exist in ${ctx.uri}`);
  return rows.map((m) => ({
    key: m.key,
    value: decodeMetricValue(m.value, m.is_nan),
    timestamp: m.timestamp,
    step: m.step,
  }));
}
