import {
  type Assessment,
  type OrderedTracesPage,
  type OrderedTracesQuery,
  parseFilter,
  readLlmCost,
  readTokenUsage,
  SpanType,
  type TraceInfo,
  TraceMetadataKey,
  type TraceOrderPosition,
  type TraceSortKey,
  type TrackingStore,
} from '@graphtrace/core';
import { textMatcher } from '../api/text-search.js';
import { TtlCache } from '../server/ttl-cache.js';
import { mapLimited, type ScanQueriesOptions, scanContext } from './trace-scan.js';
import type { DashboardQueries, TraceListQueries } from './types.js';

/*
 * The trace list's order by cost or tokens for a store that cannot sort by them (MLflow keeps
 * them as JSON text in trace metadata): the newest `maxTraces` traces of the scope are read
 * (their ids, times and values only), sorted, and paged by keyset. The window is kept a few
 * seconds so that "Older →" does not read it again; the answer says when the bound cut it.
 */

export type TraceListScanOptions = Pick<
  ScanQueriesOptions,
  'maxTraces' | 'pageSize' | 'concurrency'
> & {
  /** How long a sorted window is reused for the next pages, ms (default 10,000). */
  windowTtlMs?: number;
};

interface Window {
  /** In the order's direction. */
  rows: TraceOrderPosition[];
  traces: number;
  complete: boolean;
}

/** Sorted windows kept at once (each at most `maxTraces` small rows). */
const WINDOWS = 4;

/** The value a trace sorts by: what its row shows (core's reading of the metadata). */
export function sortValueOf(info: TraceInfo, key: TraceSortKey): number | null {
  if (key === 'total_cost')
    return readLlmCost(info.traceMetadata[TraceMetadataKey.COST])?.total_cost ?? null;
  return readTokenUsage(info.traceMetadata[TraceMetadataKey.TOKEN_USAGE])?.total_tokens ?? null;
}

/** The order SQL uses too: valued traces first by value, then newest first, then by id. */
export function compareOrder(
  descending: boolean,
): (a: TraceOrderPosition, b: TraceOrderPosition) => number {
  return (a, b) => {
    if ((a.value === null) !== (b.value === null)) return a.value === null ? 1 : -1;
    if (a.value !== null && b.value !== null && a.value !== b.value)
      return descending ? b.value - a.value : a.value - b.value;
    if (a.time !== b.time) return b.time - a.time;
    return a.traceId === b.traceId ? 0 : a.traceId < b.traceId ? 1 : -1;
  };
}

/** Rows of a sorted window after `after`, at most `limit`. */
export function pageOfWindow(
  rows: readonly TraceOrderPosition[],
  compare: (a: TraceOrderPosition, b: TraceOrderPosition) => number,
  after: TraceOrderPosition | null,
  limit: number,
): { rows: TraceOrderPosition[]; more: boolean } {
  let lo = 0;
  if (after) {
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(rows[mid]!, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
  }
  return { rows: rows.slice(lo, lo + limit), more: lo + limit < rows.length };
}

export function traceListScan(
  store: TrackingStore,
  options: TraceListScanOptions = {},
): TraceListQueries {
  const { maxTraces, pageSize, concurrency } = scanContext(store, options);
  const windows = new TtlCache<Window>(options.windowTtlMs ?? 10_000, WINDOWS);

  async function readWindow(q: OrderedTracesQuery): Promise<Window> {
    const match = q.text?.trim() ? textMatcher(q.text) : null;
    const rows: TraceOrderPosition[] = [];
    let traces = 0;
    let pageToken: string | null = null;
    let complete = true;
    if (q.scope.experimentIds.length > 0) {
      do {
        const page = await store.searchTraces({
          experimentIds: q.scope.experimentIds,
          ...(q.scope.filter ? { filter: q.scope.filter } : {}),
          maxResults: Math.min(pageSize, maxTraces - traces),
          pageToken,
        });
        for (const info of page.items) {
          if (match && !match(info)) continue;
          rows.push({
            traceId: info.traceId,
            time: info.requestTime,
            value: sortValueOf(info, q.key),
          });
        }
        traces += page.items.length;
        pageToken = page.items.length === 0 ? null : page.nextPageToken;
        if (pageToken && traces >= maxTraces) {
          complete = false;
          break;
        }
      } while (pageToken);
    }
    rows.sort(compareOrder(q.descending));
    return { rows, traces, complete };
  }

  return {
    async orderedTraces(q: OrderedTracesQuery): Promise<OrderedTracesPage> {
      parseFilter(q.scope.filter, 'traces'); // a bad filter fails here, with its column
      const key = JSON.stringify([
        q.scope.experimentIds,
        q.scope.filter ?? '',
        q.text?.trim().toLowerCase() ?? '',
        q.key,
        q.descending,
      ]);
      // The first page reads afresh (new traces show); the next ones reuse its window.
      if (q.after === null) windows.forget(key);
      const window = await windows.get(key, () => readWindow(q));
      const page = pageOfWindow(window.rows, compareOrder(q.descending), q.after, q.limit);
      return { ...page, coverage: { traces: window.traces, complete: window.complete } };
    },

    async failedToolCalls(traceIds: readonly string[]): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      await mapLimited([...new Set(traceIds)], concurrency, async (traceId) => {
        const trace = await store.getTrace(traceId);
        const n =
          trace?.spans.filter((s) => s.spanType === SpanType.TOOL && s.status.code === 'ERROR')
            .length ?? 0;
        if (n > 0) out[traceId] = n;
      });
      return out;
    },

    async assessmentsOf(traceIds: readonly string[]): Promise<Record<string, Assessment[]>> {
      const out: Record<string, Assessment[]> = {};
      await mapLimited([...new Set(traceIds)], concurrency, async (traceId) => {
        const found = await store.getAssessments(traceId);
        if (found.length > 0) out[traceId] = found;
      });
      return out;
    },
  };
}

/** The trace-list queries `queries` has (SQL), each missing one from the scan of the store. */
export function traceListFor(
  queries: DashboardQueries,
  store: TrackingStore,
): { list: TraceListQueries; kind: 'sql' | 'scan' } {
  const scan = traceListScan(store);
  const { orderedTraces, failedToolCalls, assessmentsOf } = queries;
  return {
    list: {
      orderedTraces: orderedTraces?.bind(queries) ?? scan.orderedTraces,
      failedToolCalls: failedToolCalls?.bind(queries) ?? scan.failedToolCalls,
      assessmentsOf: assessmentsOf?.bind(queries) ?? scan.assessmentsOf,
    },
    // What the order (the one bounded query) runs on.
    kind: orderedTraces ? queries.kind : 'scan',
  };
}
