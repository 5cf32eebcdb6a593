import { type CountScope, parseFilter, type TraceInfo, type TrackingStore } from '@graphtrace/core';

/*
 * The bounded paging the scan aggregates share (scan-queries.ts, cost-queries.ts): trace infos
 * of a scope, newest first, up to a limit, and calls over them with a bounded concurrency.
 */

export interface Scan {
  infos: TraceInfo[];
  /** false: the limit cut the scope short (the infos are its newest). */
  complete: boolean;
}

export type ScanScope = CountScope & { from?: number; to?: number };

/** The scope's filter with the time bounds added (MLflow filters are AND-only). */
export function scopedFilter(scope: ScanScope): string | undefined {
  const parts: string[] = [];
  if (scope.filter && scope.filter.trim() !== '') parts.push(scope.filter.trim());
  if (scope.from !== undefined) parts.push(`attributes.timestamp_ms >= ${Math.trunc(scope.from)}`);
  if (scope.to !== undefined) parts.push(`attributes.timestamp_ms < ${Math.trunc(scope.to)}`);
  return parts.length === 0 ? undefined : parts.join(' AND ');
}

/** Pages through `searchTraces`, `pageSize` infos a call, until `limit` infos. */
export async function scanTraces(
  store: TrackingStore,
  scope: ScanScope,
  limit: number,
  pageSize: number,
): Promise<Scan> {
  const filter = scopedFilter(scope);
  parseFilter(filter, 'traces'); // a bad filter fails here, with its column
  const infos: TraceInfo[] = [];
  let pageToken: string | null = null;
  let complete = true;
  if (scope.experimentIds.length === 0) return { infos, complete };
  do {
    const page = await store.searchTraces({
      experimentIds: scope.experimentIds,
      ...(filter === undefined ? {} : { filter }),
      maxResults: Math.min(pageSize, limit - infos.length + 1),
      pageToken,
    });
    infos.push(...page.items);
    pageToken = page.nextPageToken;
    if (infos.length > limit) {
      infos.length = limit;
      complete = false;
      break;
    }
  } while (pageToken);
  return { infos, complete };
}

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
