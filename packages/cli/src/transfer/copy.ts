import {
  type Experiment,
  type Metric,
  type RunInfo,
  type TraceInfo,
  TraceMetadataKey,
  TraceTagKey,
  type TrackingStore,
} from '@graphtrace/core';
import { copyTrace } from '@graphtrace/core/store-kit';
import type { SkippedItem, SourceExperiment, TransferSource } from './source.js';

export interface TransferCounts {
  /** Written to the target by this call. */
  copied: number;
  /** Already at the target (same id), left alone. */
  existing: number;
}

export interface TransferSummary {
  source: string;
  target: string;
  experiments: { created: number; existing: number };
  runs: TransferCounts;
  traces: TransferCounts;
  /** Not copied: deleted or unreadable at the source, or refused by the target. */
  skipped: SkippedItem[];
}

export interface TransferProgress {
  /** Called once the work is listed. */
  start(total: number): void;
  /** Called after each run or trace. */
  tick(label: string): void;
  stop(): void;
}

export interface TransferOptions {
  /** Only experiments with these names or ids. */
  experiments?: readonly string[];
  progress?: TransferProgress;
}

// Per-request limits of MLflow's log-batch (a server rejects larger batches).
const MAX_PARAMS = 100;
const MAX_TAGS = 100;
const MAX_METRICS = 1000;

// Where the source kept the trace's artifacts and spans says nothing about the target.
const LOCATION_TAGS = new Set<string>([TraceTagKey.ARTIFACT_LOCATION, TraceTagKey.SPANS_LOCATION]);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n', 1)[0]!;
}

/**
 * Tag naming the source run on a copy whose id the target chose itself: an MLflow server
 * assigns run ids (its CreateRun takes none), so re-runs find earlier copies by this tag.
 */
export const SOURCE_RUN_TAG = 'graphtrace.sourceRunId';

/** What the copier learns about the target as it goes. */
interface TargetFacts {
  /** undefined until the first run is created. */
  keepsRunIds: boolean | undefined;
  /** source run id -> target run id, for runs whose ids differ. */
  runIds: Map<string, string>;
}

/** The target's copy of a source run, by id or by SOURCE_RUN_TAG; null when there is none. */
async function findRunCopy(
  target: TrackingStore,
  info: RunInfo,
  experimentId: string,
): Promise<{ runId: string; status: string } | null> {
  const same = await target.getRun(info.runId);
  if (same) return { runId: same.info.runId, status: same.info.status };
  const tagged = await target.searchRuns({
    experimentIds: [experimentId],
    filter: `tags.${SOURCE_RUN_TAG} = '${info.runId}'`,
    maxResults: 1,
  });
  const hit = tagged.items[0];
  return hit ? { runId: hit.info.runId, status: hit.info.status } : null;
}

async function copyRun(
  source: TransferSource,
  target: TrackingStore,
  info: RunInfo,
  experimentId: string,
  facts: TargetFacts,
): Promise<void> {
  const data = await source.loadRun(info);
  const created = await target.createRun({
    runId: info.runId,
    experimentId,
    runName: info.runName,
    startTime: info.startTime,
    userId: info.userId,
    // Known to pick its own ids: the tag goes in with the run, so no copy is ever untagged.
    ...(facts.keepsRunIds === false ? { tags: [{ key: SOURCE_RUN_TAG, value: info.runId }] } : {}),
  });
  const runId = created.info.runId;
  if (facts.keepsRunIds === undefined) {
    facts.keepsRunIds = runId === info.runId;
    if (!facts.keepsRunIds)
      await target.logBatch(runId, { tags: [{ key: SOURCE_RUN_TAG, value: info.runId }] });
  }
  if (runId !== info.runId) facts.runIds.set(info.runId, runId);
  // Params and tags first, metrics after: a batch never exceeds MLflow's per-request limits.
  const params = chunks(data.params, MAX_PARAMS);
  const tags = chunks(data.tags, MAX_TAGS);
  for (let i = 0; i < Math.max(params.length, tags.length); i++)
    await target.logBatch(runId, { params: params[i] ?? [], tags: tags[i] ?? [] });
  for (const batch of chunks<Metric>(data.metrics, MAX_METRICS))
    await target.logBatch(runId, { metrics: batch });
  // The status goes last: a run still RUNNING at the target while finished at the source is
  // the trace of an interrupted copy.
  await target.updateRun(runId, {
    status: info.status,
    ...(info.endTime === null ? {} : { endTime: info.endTime }),
  });
}

/** A trace with its spans (core's `copyTrace`: only the spans the target lacks), then its assessments. */
async function copyTraceAndAssessments(
  source: TransferSource,
  target: TrackingStore,
  info: TraceInfo,
  experimentId: string,
  facts: TargetFacts,
): Promise<void> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(info.tags)) if (!LOCATION_TAGS.has(k)) tags[k] = v;
  const traceMetadata = { ...info.traceMetadata };
  // The trace's run is linked by id: point it at the run's copy.
  const sourceRun = traceMetadata[TraceMetadataKey.SOURCE_RUN];
  const copiedRun = sourceRun === undefined ? undefined : facts.runIds.get(sourceRun);
  if (copiedRun !== undefined) traceMetadata[TraceMetadataKey.SOURCE_RUN] = copiedRun;
  const spans = await source.loadSpans(info);
  await copyTrace(spans, { ...info, tags, traceMetadata }, target, experimentId);
  if (source.loadAssessments && target.capabilities.assessments) {
    const have = new Set((await target.getAssessments(info.traceId)).map((a) => a.assessmentId));
    for (const a of await source.loadAssessments(info)) {
      if (have.has(a.assessmentId)) continue;
      const common = {
        assessmentId: a.assessmentId,
        traceId: a.traceId,
        spanId: a.spanId,
        name: a.name,
        source: a.source,
        rationale: a.rationale,
        metadata: a.metadata,
        runId: a.runId,
        createTime: a.createTime,
      };
      await target.createAssessment(
        a.kind === 'feedback'
          ? { ...common, kind: 'feedback', value: a.value, error: a.error }
          : { ...common, kind: 'expectation', value: a.value },
      );
    }
  }
}

/**
 * Copies experiments (by name), runs (by id, with params, metric history and tags) and traces
 * (by id, with spans) from a source into a store. Idempotent: what the target already holds is
 * counted as existing and left alone, so running it again copies nothing new. A trace left
 * IN_PROGRESS at the target by an interrupted copy is completed.
 */
export async function transfer(
  source: TransferSource,
  target: TrackingStore,
  options: TransferOptions = {},
): Promise<TransferSummary> {
  const summary: TransferSummary = {
    source: source.description,
    target: target.uri,
    experiments: { created: 0, existing: 0 },
    runs: { copied: 0, existing: 0 },
    traces: { copied: 0, existing: 0 },
    skipped: source.skipped,
  };
  let experiments = await source.experiments();
  if (options.experiments && options.experiments.length > 0) {
    const wanted = new Set(options.experiments);
    experiments = experiments.filter((e) => wanted.has(e.name) || wanted.has(e.id));
  }
  const plan: { experiment: SourceExperiment; runs: RunInfo[]; traces: TraceInfo[] }[] = [];
  for (const experiment of experiments) {
    plan.push({
      experiment,
      runs: await source.runs(experiment),
      traces: await source.traces(experiment),
    });
  }
  const facts: TargetFacts = { keepsRunIds: undefined, runIds: new Map() };
  const total = plan.reduce((n, p) => n + p.runs.length + p.traces.length, 0);
  options.progress?.start(total);
  try {
    for (const { experiment, runs, traces } of plan) {
      let targetExperiment: Experiment;
      try {
        const before = await target.getExperimentByName(experiment.name);
        if (before && before.lifecycleStage !== 'active') {
          throw new Error(
            `the target has a deleted experiment named '${experiment.name}'; restore or rename it`,
          );
        }
        targetExperiment =
          before ??
          (await target.getOrCreateExperiment(experiment.name, { tags: experiment.tags }));
        if (before) summary.experiments.existing++;
        else summary.experiments.created++;
      } catch (err) {
        summary.skipped.push({
          kind: 'experiment',
          id: experiment.id,
          reason: message(err),
          failed: true,
        });
        for (let i = 0; i < runs.length + traces.length; i++)
          options.progress?.tick(experiment.name);
        continue;
      }
      const experimentId = targetExperiment.experimentId;
      // Runs before traces, so a trace's mlflow.sourceRun names a run that is there.
      for (const info of runs) {
        try {
          const existing = await findRunCopy(target, info, experimentId);
          if (existing) {
            if (existing.runId !== info.runId) facts.runIds.set(info.runId, existing.runId);
            if (existing.status === 'RUNNING' && info.status !== 'RUNNING') {
              summary.skipped.push({
                kind: 'run',
                id: info.runId,
                reason:
                  'at the target but unfinished (an interrupted copy?): delete it there and run again',
                failed: true,
              });
            } else summary.runs.existing++;
          } else {
            await copyRun(source, target, info, experimentId, facts);
            summary.runs.copied++;
          }
        } catch (err) {
          summary.skipped.push({ kind: 'run', id: info.runId, reason: message(err), failed: true });
        }
        options.progress?.tick(`run ${info.runName || info.runId}`);
      }
      for (const info of traces) {
        try {
          const existing = await target.getTraceInfo(info.traceId);
          if (existing && !(existing.state === 'IN_PROGRESS' && info.state !== 'IN_PROGRESS')) {
            summary.traces.existing++;
          } else {
            await copyTraceAndAssessments(source, target, info, experimentId, facts);
            summary.traces.copied++;
          }
        } catch (err) {
          summary.skipped.push({
            kind: 'trace',
            id: info.traceId,
            reason: message(err),
            failed: true,
          });
        }
        options.progress?.tick(`trace ${info.traceId}`);
      }
    }
  } finally {
    options.progress?.stop();
  }
  return summary;
}
