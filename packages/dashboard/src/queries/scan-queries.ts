import type { TrackingStore } from '@graphtrace/core';
import { scanAssessmentSummary, scanRecentAssessments } from './assessment-scan.js';
import { costQueries } from './cost-queries.js';
import { scanCount, scanExperimentStats } from './experiment-scan.js';
import { scanSessions } from './session-scan.js';
import { scanTimeseries } from './timeseries-scan.js';
import { scanTools } from './tool-scan.js';
import { traceListScan } from './trace-list-scan.js';
import { type ScanQueriesOptions, scanContext } from './trace-scan.js';
import type { CostQueries, DashboardQueries, TraceListQueries } from './types.js';

export type { ScanQueriesOptions } from './trace-scan.js';

/**
 * The analytics port for stores without aggregate queries: pages through `searchTraces`
 * (newest first, `pageSize` infos a call) up to `maxTraces` trace infos per aggregate, and
 * fetches spans or assessments for at most `maxDetailTraces` traces (costs too: see
 * cost-queries.ts). Memory stays bounded by those limits; when a limit cuts a range short the
 * result says so (`coverage.complete` false) and the dashboard shows it. Each aggregate is in
 * its own file (*-scan.ts); this composes them over one set of limits.
 */
export function scanQueries(
  store: TrackingStore,
  options: ScanQueriesOptions = {},
): DashboardQueries & CostQueries & TraceListQueries {
  const ctx = scanContext(store, options);
  return {
    ...costQueries(store, options),
    ...traceListScan(store, options),
    kind: 'scan',
    description: `scan of ${store.uri} through searchTraces: at most ${ctx.maxTraces.toLocaleString('en-US')} newest traces per aggregate, spans and assessments of at most ${ctx.maxDetail.toLocaleString('en-US')}`,
    experimentStats: (experimentIds) => scanExperimentStats(ctx, experimentIds),
    countTraces: (scope) => scanCount(ctx, scope),
    timeseries: (scope, bucketMs) => scanTimeseries(ctx, scope, bucketMs),
    tools: (scope, opts) => scanTools(ctx, scope, opts),
    sessions: (scope, page) => scanSessions(ctx, scope, page),
    assessmentSummary: (scope) => scanAssessmentSummary(ctx, scope),
    recentAssessments: (scope, opts) => scanRecentAssessments(ctx, scope, opts),
  };
}
