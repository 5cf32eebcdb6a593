import type { Pricer } from '@graphtrace/pricing';
import type { Clock } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Span } from '../model/span.js';
import type { TraceInfo } from '../model/trace.js';
import type { SecretKeyTest } from './sanitize.js';

/** What spans and traces need from the tracker that made them. */
export interface TracingSettings {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  /** false: names, types, timings, statuses and token counts only; no inputs or outputs. */
  readonly logPrompts: boolean;
  readonly maxPayloadChars: number;
  readonly isSecretKey: SecretKeyTest;
  readonly maxEventsPerSpan: number;
  /** Fraction of traces recorded, decided once per trace at its root. */
  readonly sampling: number;
  /** Metadata every trace starts with (default session and user). */
  readonly defaultTraceMetadata: Readonly<Record<string, string>>;
  /** Prices model spans (`mlflow.llm.cost`); null: no costs recorded. */
  readonly pricer: Pricer | null;
}

/** A trace info waiting for its experiment id, which the exporter resolves. */
export type PendingTraceInfo = Omit<TraceInfo, 'experimentId'>;

/** A finished trace whose info is built when it is exported, off the traced code's path. */
export interface FinishedTrace {
  readonly traceId: string;
  buildInfo(): PendingTraceInfo;
}

/** Where finished spans and traces go: the export pipeline. */
export interface TraceSink {
  enqueueSpan(span: Span): void;
  enqueueTrace(trace: FinishedTrace): void;
  /** An internal failure: reported, never thrown into user code. */
  reportInternalError(err: unknown): void;
}
