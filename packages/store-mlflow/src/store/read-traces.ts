import type { Page, SearchTracesQuery, Trace, TraceInfo } from '@graphtrace/core';
import { matches, traceValue } from '@graphtrace/core/store-kit';
import { type TraceInfoJson, traceInfoFromJson } from '../convert.js';
import { type OtlpSpanJson, parseJsonKeepingInt64, spanFromOtlpJson } from '../otlp-spans.js';
import { translateSearch } from '../search-translate.js';
import { getOrNull, orNull, positiveInt, type ServerContext, V3 } from './context.js';

/** MLflow's SearchTracesV3 refuses max_results above 500. */
const TRACE_SEARCH_MAX = 500;

/** The trace info as the server keeps it (assessments included), or null when there is none. */
export async function traceInfoJson(
  ctx: ServerContext,
  traceId: string,
  signal?: AbortSignal,
): Promise<TraceInfoJson | null> {
  const res = await getOrNull<{ trace: { trace_info: TraceInfoJson } }>(
    ctx,
    `${V3}/traces/${encodeURIComponent(traceId)}`,
    undefined,
    signal,
  );
  return res ? res.trace.trace_info : null;
}

export async function getTraceInfo(ctx: ServerContext, traceId: string): Promise<TraceInfo | null> {
  const json = await traceInfoJson(ctx, traceId);
  return json ? traceInfoFromJson(json) : null;
}

export async function getTrace(ctx: ServerContext, traceId: string): Promise<Trace | null> {
  const text = await orNull(
    ctx.http.text({
      method: 'GET',
      path: `${V3}/traces/get`,
      // allow_partial: without it the server sleeps and retries while spans are missing.
      query: { trace_id: traceId, allow_partial: true },
      idempotent: true,
    }),
  );
  if (text === null) return null;
  const res = parseJsonKeepingInt64(text) as {
    trace: { trace_info: TraceInfoJson; spans?: OtlpSpanJson[] };
  };
  // By start time; a bigint difference keeps its sign through Number().
  const spans = (res.trace.spans ?? [])
    .map((s) => spanFromOtlpJson(s, traceId))
    .sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
  return { info: traceInfoFromJson(res.trace.trace_info), spans };
}

export async function searchTraces(
  ctx: ServerContext,
  query: SearchTracesQuery,
): Promise<Page<TraceInfo>> {
  const t = translateSearch('traces', query.filter, query.orderBy);
  const res = await ctx.http.json<{ traces?: TraceInfoJson[]; next_page_token?: string }>({
    method: 'POST',
    path: `${V3}/traces/search`,
    json: {
      locations: query.experimentIds.map((experiment_id) => ({
        type: 'MLFLOW_EXPERIMENT',
        mlflow_experiment: { experiment_id },
      })),
      max_results: Math.min(TRACE_SEARCH_MAX, positiveInt('maxResults', query.maxResults ?? 100)),
      ...(t.serverFilter ? { filter: t.serverFilter } : {}),
      ...(t.orderBy.length ? { order_by: t.orderBy } : {}),
      ...(query.pageToken ? { page_token: query.pageToken } : {}),
    },
    idempotent: true,
  });
  const items = (res.traces ?? [])
    .map(traceInfoFromJson)
    .filter((i) => matches(t.filter, i, traceValue));
  return { items, nextPageToken: res.next_page_token || null };
}
