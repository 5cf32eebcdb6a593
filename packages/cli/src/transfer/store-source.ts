import type { Metric, RunInfo, TraceInfo, TrackingStore } from '@graphtrace/core';
import { allExperiments } from '../commands/shared.js';
import type { SkippedItem, SourceExperiment, SourceRunData, TransferSource } from './source.js';

/** A TrackingStore as a transfer source: active experiments, their runs and traces. */
export function storeSource(
  store: TrackingStore,
  options: { close?: boolean } = {},
): TransferSource {
  const runsById = new Map<string, import('@graphtrace/core').Run>();
  const skipped: SkippedItem[] = [];
  return {
    description: store.uri,
    skipped,
    async experiments() {
      return (await allExperiments(store)).map((e) => ({
        id: e.experimentId,
        name: e.name,
        tags: { ...e.tags },
      }));
    },
    async runs(experiment: SourceExperiment) {
      const out: RunInfo[] = [];
      let pageToken: string | null = null;
      do {
        const page = await store.searchRuns({
          experimentIds: [experiment.id],
          orderBy: ['attributes.start_time ASC'],
          maxResults: 1000,
          pageToken,
        });
        for (const run of page.items) {
          runsById.set(run.info.runId, run);
          out.push(run.info);
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
      return out;
    },
    async loadRun(info: RunInfo): Promise<SourceRunData> {
      const run = runsById.get(info.runId) ?? (await store.getRun(info.runId));
      runsById.delete(info.runId);
      if (!run) throw new Error(`run ${info.runId} disappeared from ${store.uri}`);
      const metrics: Metric[] = [];
      for (const m of run.data.metrics)
        metrics.push(...(await store.getMetricHistory(info.runId, m.key)));
      return {
        params: Object.entries(run.data.params).map(([key, value]) => ({ key, value })),
        tags: Object.entries(run.data.tags).map(([key, value]) => ({ key, value })),
        metrics,
      };
    },
    async traces(experiment: SourceExperiment) {
      const out: TraceInfo[] = [];
      let pageToken: string | null = null;
      do {
        const page = await store.searchTraces({
          experimentIds: [experiment.id],
          orderBy: ['timestamp_ms ASC'],
          maxResults: 500,
          pageToken,
        });
        out.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken);
      return out;
    },
    async loadSpans(info: TraceInfo) {
      const trace = await store.getTrace(info.traceId);
      if (!trace) throw new Error(`trace ${info.traceId} disappeared from ${store.uri}`);
      return trace.spans;
    },
    ...(store.capabilities.assessments
      ? { loadAssessments: (info: TraceInfo) => store.getAssessments(info.traceId) }
      : {}),
    async close() {
      if (options.close !== false) await store.close();
    },
  };
}
