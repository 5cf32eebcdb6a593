import type { CountScope, ExperimentTraceStats, TraceCount } from '@graphtrace/core';
import { mapLimited, type ScanContext } from './trace-scan.js';

/**
 * Trace counts and time span per experiment (all experiments when `experimentIds` is omitted):
 * newest and oldest trace by one-row searches, the count by a scan of at most `maxCounted`.
 */
export async function scanExperimentStats(
  ctx: ScanContext,
  experimentIds?: string[],
): Promise<ExperimentTraceStats[]> {
  const { store } = ctx;
  let ids = experimentIds;
  if (ids === undefined) {
    ids = [];
    let pageToken: string | null = null;
    do {
      const page = await store.searchExperiments({ maxResults: 1000, pageToken });
      ids.push(...page.items.map((e) => e.experimentId));
      pageToken = page.nextPageToken;
    } while (pageToken);
  }
  const stats = await mapLimited(
    ids,
    ctx.concurrency,
    async (experimentId): Promise<ExperimentTraceStats | null> => {
      const newest = await store.searchTraces({ experimentIds: [experimentId], maxResults: 1 });
      const last = newest.items[0];
      if (!last) return null;
      const oldest = await store.searchTraces({
        experimentIds: [experimentId],
        orderBy: ['timestamp_ms ASC'],
        maxResults: 1,
      });
      // Listing experiments must stay quick: count only so far.
      const counted = await ctx.scan({ experimentIds: [experimentId] }, ctx.maxCounted);
      return {
        experimentId,
        traces: counted.infos.length,
        tracesExact: counted.complete,
        firstTraceTime: oldest.items[0]?.requestTime ?? last.requestTime,
        lastTraceTime: last.requestTime,
      };
    },
  );
  return stats.filter((s): s is ExperimentTraceStats => s !== null);
}

/** The scope's traces, counted up to `maxTraces` (then `exact` is false). */
export async function scanCount(ctx: ScanContext, scope: CountScope): Promise<TraceCount> {
  const { infos, complete } = await ctx.scan(scope, ctx.maxTraces);
  return { count: infos.length, exact: complete };
}
