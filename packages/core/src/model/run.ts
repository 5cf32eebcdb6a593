import type { LifecycleStage } from './experiment.js';

/** The run statuses MLflow's `runs.status` CHECK constraint allows. */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = [
  'RUNNING',
  'SCHEDULED',
  'FINISHED',
  'FAILED',
  'KILLED',
];

export interface RunInfo {
  /** 32 lowercase hex characters. */
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  /** ms since epoch */
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
}

export interface Param {
  key: string;
  value: string;
}

/**
 * One metric observation. `value` may be NaN or ±Infinity: stores encode them as MLflow does
 * (NaN as 0 with is_nan = 1, ±Inf as ±1.7976931348623157e308).
 */
export interface Metric {
  key: string;
  value: number;
  /** ms since epoch */
  timestamp: number;
  step: number;
}

export interface RunTag {
  key: string;
  value: string;
}

export interface RunData {
  params: Record<string, string>;
  /** The latest observation per key, by MLflow's (step, timestamp, value) rule. */
  metrics: Metric[];
  tags: Record<string, string>;
}

export interface Run {
  info: RunInfo;
  data: RunData;
}
