import type { Assessment, Metric, Param, RunInfo, RunTag, Span, TraceInfo } from '@graphtrace/core';

/** An experiment of a source, matched at the target by name. */
export interface SourceExperiment {
  id: string;
  name: string;
  tags: Record<string, string>;
}

/** Everything of a run that is copied: its metric history, not only the latest values. */
export interface SourceRunData {
  params: Param[];
  tags: RunTag[];
  metrics: Metric[];
}

/** Something the source holds that is not copied, and why. */
export interface SkippedItem {
  kind: 'experiment' | 'run' | 'trace';
  id: string;
  reason: string;
  /** True for errors (unreadable, refused); false for things left out on purpose (deleted). */
  failed: boolean;
}

/**
 * Where `graphtrace import` and `graphtrace sync` read from: another TrackingStore or an MLflow
 * FileStore directory. Listing is cheap (it sizes the progress bar); loading reads the rest.
 */
export interface TransferSource {
  /** For messages: a URI or a directory. */
  readonly description: string;
  experiments(): Promise<SourceExperiment[]>;
  runs(experiment: SourceExperiment): Promise<RunInfo[]>;
  loadRun(run: RunInfo): Promise<SourceRunData>;
  traces(experiment: SourceExperiment): Promise<TraceInfo[]>;
  loadSpans(trace: TraceInfo): Promise<Span[]>;
  /** Assessments of a trace, when the source has them. */
  loadAssessments?(trace: TraceInfo): Promise<Assessment[]>;
  /** What the source found but will not hand over (deleted, unreadable). */
  readonly skipped: SkippedItem[];
  close(): Promise<void>;
}
