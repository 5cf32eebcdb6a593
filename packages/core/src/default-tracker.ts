import { consoleLogger } from './logger.js';
import { flushAll } from './tracing/exit-hooks.js';
import type { LiveSpan } from './tracing/live-span.js';
import {
  noopSpan,
  type SpanOptions,
  type StartSpanOptions,
  type Tracer,
  type TraceUpdate,
} from './tracing/tracer.js';
import {
  runInSpan,
  type SpanFn,
  type TraceOptions,
  traceFunction,
  withSpanArgs,
} from './tracing/wrap.js';
import { createTracker, type Tracker, type TrackerOptions } from './tracker/tracker.js';

/**
 * The module-level API (MLflow's TypeScript names) acts on a default tracker set by `init()`.
 * Before `init()`, traced functions still run, unrecorded, with one warning.
 */
let defaultTracker: Tracker | null = null;
let warned = false;

export function init(options: TrackerOptions): Tracker {
  defaultTracker = createTracker(options);
  return defaultTracker;
}

export function getDefaultTracker(): Tracker | null {
  return defaultTracker;
}

export function setDefaultTracker(tracker: Tracker | null): void {
  defaultTracker = tracker;
}

function tracker(): Tracker | null {
  if (!defaultTracker && !warned) {
    warned = true;
    consoleLogger.warn(
      'tracing is not initialised, so nothing is recorded: call init({ store, experimentName }) first',
    );
  }
  return defaultTracker;
}

const unrecordedTracer = {
  startSpan: (o: StartSpanOptions) => noopSpan(o.name),
} as unknown as Tracer;

function currentTracer(): Tracer {
  return tracker()?.tracer ?? unrecordedTracer;
}

/** Wraps `fn` so each call records a span (resolved against the default tracker at call time). */
export function trace<F extends (...args: any[]) => any>(fn: F, options?: TraceOptions): F {
  return traceFunction(currentTracer, fn, options);
}

export function withSpan<T>(fn: SpanFn<T>, options?: SpanOptions): T;
export function withSpan<T>(options: SpanOptions, fn: SpanFn<T>): T;
export function withSpan<T>(a: SpanFn<T> | SpanOptions, b?: SpanFn<T> | SpanOptions): T {
  const [fn, options] = withSpanArgs(a, b);
  const span = currentTracer().startSpan({ ...options, name: options.name ?? (fn.name || 'span') });
  return runInSpan(span, () => fn(span), true, false);
}

export function startSpan(options: StartSpanOptions): LiveSpan {
  return currentTracer().startSpan(options);
}

export function updateCurrentTrace(update: TraceUpdate): void {
  tracker()?.updateCurrentTrace(update);
}

/** Writes every pending span of every tracker in this process. */
export async function flushTraces(): Promise<void> {
  await flushAll();
}
