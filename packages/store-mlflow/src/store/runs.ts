import type {
  CreateRunInput,
  LogBatchInput,
  Metric,
  Page,
  Run,
  RunInfo,
  SearchRunsQuery,
  UpdateRunInput,
} from '@graphtrace/core';
import { matches, runValue } from '@graphtrace/core/store-kit';
import {
  type MetricJson,
  metricFromJson,
  metricValueToJson,
  type RunJson,
  runFromJson,
  runInfoFromJson,
} from '../convert.js';
import { translateSearch } from '../search-translate.js';
import { getOrNull, positiveInt, type ServerContext, V2 } from './context.js';
import { splitLogBatch } from './log-batch.js';

// ---- writes

export async function createRun(ctx: ServerContext, input: CreateRunInput): Promise<Run> {
  const res = await ctx.http.json<{ run: RunJson }>({
    method: 'POST',
    path: `${V2}/runs/create`,
    json: {
      experiment_id: input.experimentId,
      start_time: input.startTime ?? Date.now(),
      ...(input.userId !== undefined ? { user_id: input.userId } : {}),
      ...(input.runName !== undefined ? { run_name: input.runName } : {}),
      tags: input.tags ?? [],
    },
    idempotent: false,
  });
  return runFromJson(res.run);
}

export async function updateRun(
  ctx: ServerContext,
  runId: string,
  update: UpdateRunInput,
): Promise<RunInfo> {
  const res = await ctx.http.json<{ run_info: RunJson['info'] }>({
    method: 'POST',
    path: `${V2}/runs/update`,
    json: {
      run_id: runId,
      ...(update.status !== undefined ? { status: update.status } : {}),
      ...(update.endTime !== undefined ? { end_time: update.endTime } : {}),
      ...(update.runName !== undefined ? { run_name: update.runName } : {}),
    },
    idempotent: true,
  });
  return runInfoFromJson(res.run_info);
}

export async function logBatch(
  ctx: ServerContext,
  runId: string,
  batch: LogBatchInput,
): Promise<void> {
  for (const chunk of splitLogBatch(batch)) {
    await ctx.http.json({
      method: 'POST',
      path: `${V2}/runs/log-batch`,
      json: {
        run_id: runId,
        params: chunk.params,
        tags: chunk.tags,
        metrics: chunk.metrics.map((m) => ({
          key: m.key,
          value: metricValueToJson(m.value),
          timestamp: m.timestamp,
          step: m.step,
        })),
      },
      // Params are write-once with the same value and tags are upserts; a metric point sent
      // twice is one more history row, which beats losing it.
      idempotent: true,
    });
  }
}

// ---- reads

export async function getRun(ctx: ServerContext, runId: string): Promise<Run | null> {
  if (!/^[0-9a-zA-Z_-]+$/.test(runId)) return null;
  const res = await getOrNull<{ run: RunJson }>(ctx, `${V2}/runs/get`, { run_id: runId });
  return res ? runFromJson(res.run) : null;
}

export async function searchRuns(ctx: ServerContext, query: SearchRunsQuery): Promise<Page<Run>> {
  const t = translateSearch('runs', query.filter, query.orderBy);
  const res = await ctx.http.json<{ runs?: RunJson[]; next_page_token?: string }>({
    method: 'POST',
    path: `${V2}/runs/search`,
    json: {
      experiment_ids: query.experimentIds,
      max_results: positiveInt('maxResults', query.maxResults ?? 1000),
      run_view_type: 'ACTIVE_ONLY',
      ...(t.serverFilter ? { filter: t.serverFilter } : {}),
      ...(t.orderBy.length ? { order_by: t.orderBy } : {}),
      ...(query.pageToken ? { page_token: query.pageToken } : {}),
    },
    idempotent: true,
  });
  const items = (res.runs ?? []).map(runFromJson).filter((r) => matches(t.filter, r, runValue));
  return { items, nextPageToken: res.next_page_token || null };
}

export async function getMetricHistory(
  ctx: ServerContext,
  runId: string,
  key: string,
): Promise<Metric[]> {
  const out: Metric[] = [];
  let pageToken: string | undefined;
  do {
    const res = await ctx.http.json<{ metrics?: MetricJson[]; next_page_token?: string }>({
      method: 'GET',
      path: `${V2}/metrics/get-history`,
      query: { run_id: runId, metric_key: key, max_results: 25_000, page_token: pageToken },
      idempotent: true,
    });
    out.push(...(res.metrics ?? []).map(metricFromJson));
    pageToken = res.next_page_token || undefined;
  } while (pageToken);
  // MLflow's order: timestamp, then step, then value.
  return out.sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || a.value - b.value);
}
