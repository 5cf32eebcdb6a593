import {
  type CountScope,
  parseFilter,
  readTokenUsage,
  type TraceInfo,
  TraceMetadataKey,
  type TrackingStore,
} from '@graphtrace/core';

/*
 * What the scan aggregates share (scan-queries.ts and the *-scan.ts / cost-queries.ts files it
 * composes): their limits, the bounded paging of a scope's trace infos (newest first, up to a
 * limit), and calls over them with a bounded concurrency.
 */

export interface ScanQueriesOptions {
  /** Most trace infos one aggregate reads, newest first (default 20,000). */
  maxTraces?: number;
  /** Most traces whose spans or assessments are fetched one by one (default 1,000). */
  maxDetailTraces?: number;
  /** Trace infos per searchTraces call (default 500). */
  pageSize?: number;
  /** Concurrent getTrace / getAssessments calls (default 4). */
  concurrency?: number;
  /** Traces counted per experiment for the experiment list, at most (default 1,000). */
  maxCountedPerExperiment?: number;
}

/** The limits with their defaults applied, and `scan` bound to the store and page size. */
export interface ScanContext {
  store: TrackingStore;
  maxTraces: number;
  maxDetail: number;
  pageSize: number;
  concurrency: number;
  maxCounted: number;
  /** `scanTraces` of the store: the scope's newest trace infos, at most `limit`. */
  scan(scope: ScanScope, limit: number): Promise<Scan>;
}

export function scanContext(store: TrackingStore, options: ScanQueriesOptions = {}): ScanContext {
  const pageSize = options.pageSize ?? 500;
  return {
    store,
    maxTraces: options.maxTraces ?? 20_000,
    maxDetail: options.maxDetailTraces ?? 1_000,
    pageSize,
    concurrency: options.concurrency ?? 4,
    maxCounted: options.maxCountedPerExperiment ?? 1_000,
    scan: (scope, limit) => scanTraces(store, scope, limit, pageSize),
  };
}

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

/** A trace's input and output tokens (`mlflow.trace.tokenUsage`; 0 when it has none). */
export function tokensOf(info: TraceInfo): { input: number; output: number } {
  const u = readTokenUsage(info.traceMetadata[TraceMetadataKey.TOKEN_USAGE]);
  return u ? { input: u.input_tokens, output: u.output_tokens } : { input: 0, output: 0 };
}
