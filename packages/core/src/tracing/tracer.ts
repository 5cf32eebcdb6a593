import { systemClock } from '../clock.js';
import { randomIds } from '../ids.js';
import { silentLogger } from '../logger.js';
import { TRACE_ID_PREFIX, TraceMetadataKey } from '../model/keys.js';
import { SpanType } from '../model/span.js';
import { ActiveTrace } from './active-trace.js';
import {
  bounded,
  coerceName,
  coerceSpanType,
  coerceTimeNs,
  MAX_KEY_CHARS,
  MAX_TAG_VALUE_CHARS,
  safeText,
} from './coerce.js';
import { contextValue } from './context.js';
import { currentRemoteParent } from './distributed.js';
import { LiveSpan } from './live-span.js';
import { maskSecretsInText, REDACTED, secretKeyTest } from './sanitize.js';
import type { TraceSink, TracingSettings } from './settings.js';
import { runSpanHooks } from './span-hooks.js';

export interface SpanOptions {
  name?: string;
  /** One of `SpanType`, or any string; default CHAIN for function spans, UNKNOWN otherwise. */
  spanType?: string;
  inputs?: unknown;
  attributes?: Record<string, unknown>;
}

export interface StartSpanOptions extends SpanOptions {
  name: string;
  /**
   * The parent span. Omitted: the active span (if any). `null`: always start a new trace.
   */
  parent?: LiveSpan | null;
  /** ns since epoch (a bigint, or a number of ns as MLflow's TypeScript SDK takes it). */
  startTimeNs?: bigint | number;
}

export interface TraceUpdate {
  tags?: Record<string, string>;
  metadata?: Record<string, string>;
  clientRequestId?: string;
  /** Replaces the preview MLflow shows for the request (else made from the root's inputs). */
  requestPreview?: string;
  /** Replaces the preview MLflow shows for the response (else made from the root's outputs). */
  responsePreview?: string;
  /** Stored as `mlflow.trace.session`. */
  session?: string;
  /** Stored as `mlflow.trace.user`. */
  user?: string;
}

/**
 * Finds an open span that graphtrace's own context cannot see, e.g. the span of the LangGraph
 * node running now (LangChain tracks its runs in its own async context).
 */
export type ActiveSpanResolver = () => LiveSpan | null | undefined;

const resolvers = new Set<ActiveSpanResolver>();

/** Adds a resolver; returns a function that removes it. */
export function registerActiveSpanResolver(resolver: ActiveSpanResolver): () => void {
  resolvers.add(resolver);
  return () => {
    resolvers.delete(resolver);
  };
}

/**
 * The innermost open span: graphtrace's own active span, or a resolver's when that one is
 * deeper. Both lie on the current call path, so the one that started later is the inner one.
 */
export function getCurrentActiveSpan(options?: {
  /** False: graphtrace's own context only (a resolver's caller that knows its run's span). */
  resolvers?: boolean;
}): LiveSpan | null {
  let best = contextValue<LiveSpan>('span') ?? null;
  if (resolvers.size === 0 || options?.resolvers === false) return best;
  for (const resolve of resolvers) {
    try {
      const s = resolve();
      if (s?.isRecording() && (!best || s.startTimeUnixNano > best.startTimeUnixNano)) best = s;
    } catch {
      // A resolver must never break tracing; it is simply not consulted.
    }
  }
  return best;
}

// A span that records nothing: returned when tracing itself fails, so user code goes on.
const noopSink: TraceSink = { enqueueSpan() {}, enqueueTrace() {}, reportInternalError() {} };
const noopSettings: TracingSettings = {
  clock: systemClock,
  ids: randomIds,
  logger: silentLogger,
  logPrompts: false,
  maxPayloadChars: 0,
  isSecretKey: secretKeyTest(),
  maxEventsPerSpan: 0,
  sampling: 0,
  defaultTraceMetadata: {},
  pricer: null,
};
export function noopSpan(name = 'noop'): LiveSpan {
  const trace = new ActiveTrace(
    `${TRACE_ID_PREFIX}${'0'.repeat(32)}`,
    false,
    noopSettings,
    noopSink,
    null,
  );
  return new LiveSpan(trace, '0'.repeat(16), null, name, SpanType.UNKNOWN, 0n);
}

/** Makes spans for one tracker: ids, sampling at the root, and the trace each span belongs to. */
export class Tracer {
  constructor(
    readonly settings: TracingSettings,
    private readonly sink: TraceSink,
    private readonly currentRunId: () => string | null,
    private readonly enabled: () => boolean,
  ) {}

  startSpan(options: StartSpanOptions): LiveSpan {
    try {
      const parent = options.parent === undefined ? getCurrentActiveSpan() : options.parent;
      const { ids, clock } = this.settings;
      const given =
        options.startTimeNs === undefined ? undefined : coerceTimeNs(options.startTimeNs);
      const start = given ?? clock.nowNs();
      const name = coerceName(options.name, 'span');
      const spanType = coerceSpanType(options.spanType, SpanType.UNKNOWN);
      let span: LiveSpan;
      if (parent) {
        span = new LiveSpan(parent.trace, ids.spanId(), parent.spanId, name, spanType, start);
      } else {
        // A caller in another process whose span this work continues (W3C trace context).
        const remote = options.parent === undefined ? currentRemoteParent() : undefined;
        const sampling = this.settings.sampling;
        const recording =
          this.enabled() &&
          (remote ? remote.sampled : sampling >= 1 || (sampling > 0 && Math.random() < sampling));
        const trace = new ActiveTrace(
          remote?.traceId ?? `${TRACE_ID_PREFIX}${ids.traceId()}`,
          recording,
          this.settings,
          this.sink,
          this.currentRunId(),
        );
        if (remote) {
          trace.remote = true;
          trace.traceState = remote.traceState;
        }
        span = new LiveSpan(trace, ids.spanId(), remote?.spanId ?? null, name, spanType, start);
        trace.root = span;
      }
      if (options.startTimeNs !== undefined && given === undefined)
        span.trace.reportBadValue(
          'startSpan({ startTimeNs })',
          'needs ns since the epoch; the span started now',
        );
      if (span.isRecording()) {
        if (options.inputs !== undefined) span.setInputs(options.inputs);
        if (options.attributes !== undefined) span.setAttributes(options.attributes);
        runSpanHooks('start', span);
      }
      return span;
    } catch (err) {
      this.sink.reportInternalError(err);
      return noopSpan();
    }
  }
}

/** Applies `updateCurrentTrace` to the trace of the active span. Returns false without one. */
export function updateTrace(span: LiveSpan | null, update: TraceUpdate): boolean {
  if (!span?.trace.recording) return false;
  try {
    applyUpdate(span, update);
  } catch (err) {
    // A caller's value that throws when read (a Proxy, a getter) is reported, not thrown.
    span.trace.reportInternalError(err);
  }
  return true;
}

function applyUpdate(span: LiveSpan, update: TraceUpdate): void {
  const trace = span.trace;
  const isSecret = trace.settings.isSecretKey;
  // Keys and values bounded as MLflow bounds them (keys 250, tag values 8000 characters).
  const text = (v: unknown) => maskSecretsInText(safeText(v, MAX_TAG_VALUE_CHARS));
  const clean = (k: string, v: unknown) => (isSecret(k) ? REDACTED : text(v));
  const entries = (o: unknown) =>
    o !== null && typeof o === 'object' ? Object.entries(o as Record<string, unknown>) : [];
  for (const [k, v] of entries(update.tags)) trace.tags[bounded(k, MAX_KEY_CHARS)] = clean(k, v);
  for (const [k, v] of entries(update.metadata))
    trace.metadata[bounded(k, MAX_KEY_CHARS)] = clean(k, v);
  if (update.clientRequestId !== undefined)
    trace.clientRequestId = safeText(update.clientRequestId, MAX_KEY_CHARS);
  for (const key of ['requestPreview', 'responsePreview'] as const) {
    const preview = update[key];
    if (preview === undefined) continue;
    if (typeof preview === 'string') trace[key] = maskSecretsInText(preview);
    else trace.reportBadValue(`updateCurrentTrace({ ${key} })`, 'takes a string; it was ignored');
  }
  if (update.session !== undefined) trace.metadata[TraceMetadataKey.SESSION] = text(update.session);
  if (update.user !== undefined) trace.metadata[TraceMetadataKey.USER] = text(update.user);
  if (trace.ended)
    trace.settings.logger.warn(
      `updateCurrentTrace after trace ${trace.traceId} ended has no effect`,
    );
}
