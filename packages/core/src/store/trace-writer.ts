import type { Span } from '../model/span.js';
import type { TraceInfo } from '../model/trace.js';

/**
 * Options of a trace write. A store that waits on something remote stops waiting when the
 * signal aborts (the write then fails with STORE_UNAVAILABLE); a local store may ignore it.
 */
export interface WriteOptions {
  signal?: AbortSignal;
}

/** What the span pipeline needs to know of how a writer takes writes. */
export interface TraceWriterCapabilities {
  /**
   * `logSpans` and `startTrace` return without blocking the caller's thread (a writer thread
   * does the work) and are applied in call order even when called before earlier calls settle.
   * The span pipeline then hands each finished trace over at once instead of batching it on a
   * timer. Absent means false.
   */
  readonly pipelinedTraceWrites?: boolean;
}

/** What a store that talks to a server says of whether the server answers. */
export interface ReachabilityResult {
  ok: boolean;
  /** `ok`, or why not: `connection refused (ECONNREFUSED)`, `no answer within 3000 ms`, `HTTP 503`… */
  reason: string;
  elapsedMs: number;
}

/**
 * The write port: all the span pipeline needs of a store. Every `TrackingStore` is one; the
 * resilience wrappers (spool) implement only this, so a wrapper changes trace writes without
 * forwarding the read and tracking calls.
 *
 * Errors: writes reject with a `GraphtraceError` carrying a `code` (STORE_UNAVAILABLE when the
 * store does not answer, which the pipeline treats as a failure of the store as a whole).
 */
export interface TraceWriter {
  /** A human-readable location for messages: `memory:`, `sqlite:///mlflow.db`, `http://…`. */
  readonly uri: string;
  readonly capabilities: TraceWriterCapabilities;
  /**
   * Writes the trace info (MLflow's StartTraceV3, which carries the complete info when a
   * trace ends). Upsert: tags and metadata are merged, other fields replaced.
   */
  startTrace(info: TraceInfo, options?: WriteOptions): Promise<TraceInfo>;
  /**
   * Writes spans of one or more traces of that experiment. Spans may arrive before the trace
   * info (a store then records the trace as IN_PROGRESS); writing the same span twice keeps one.
   */
  logSpans(experimentId: string, spans: readonly Span[], options?: WriteOptions): Promise<void>;
  /**
   * Whether the server behind the store answers within the budget (ms), decided by then; never
   * rejects. A store that talks to a server has it; local stores leave it out, and a wrapper
   * has it where the store it wraps does. Resilience asks it before choosing the primary and
   * before draining a spool into it.
   */
  reachable?(timeoutMs: number): Promise<ReachabilityResult>;
}
