import { GraphtraceError } from './errors.js';
import { consoleLogger } from './logger.js';
import type { TrackingStore } from './store/tracking-store.js';
import {
  type HeadersLike,
  headersFor,
  remoteParentFrom,
  runWithRemoteParent,
} from './tracing/distributed.js';
import { flushAll } from './tracing/exit-hooks.js';
import type { LiveSpan } from './tracing/live-span.js';
import {
  getCurrentActiveSpan,
  noopSpan,
  type SpanOptions,
  type StartSpanOptions,
  type Tracer,
  type TraceUpdate,
} from './tracing/tracer.js';
import {
  runInSpan,
  type SpanFn,
  type TraceDecorator,
  type TraceOptions,
  traceOrDecorate,
  withSpanArgs,
} from './tracing/wrap.js';
import { createTracker, type Tracker, type TrackerOptions } from './tracker/tracker.js';

/**
 * The module-level API (MLflow's TypeScript names) acts on a default tracker set by `init()`.
 * Before `init()`, traced functions still run, unrecorded, with one warning.
 */
let defaultTracker: Tracker | null = null;
let warned = false;

/**
 * `init()` as MLflow's TypeScript SDK takes it: a tracking URI instead of a store (default
 * `MLFLOW_TRACKING_URI`, else the configuration's), the other tracker options as they are.
 */
export interface InitOptions extends Omit<TrackerOptions, 'store'> {
  store?: TrackingStore;
  /** `sqlite:///mlflow.db`, `http(s)://host:port`, … opened by @graphtrace/setup. */
  trackingUri?: string;
}

/** Opens the tracker `init()` without a store asks for; @graphtrace/setup registers one. */
export type TrackerFactory = (options: InitOptions) => Tracker;

let trackerFactory: TrackerFactory | null = null;

/** @internal Registered by @graphtrace/setup when it loads; returns the undo. */
export function registerTrackerFactory(factory: TrackerFactory): () => void {
  const before = trackerFactory;
  trackerFactory = factory;
  return () => {
    trackerFactory = before;
  };
}

/**
 * Sets the default tracker the module-level API records into: `init({ store })`, or, as MLflow's
 * SDK, `init({ trackingUri, experimentId })` (or neither, from MLFLOW_TRACKING_URI and the
 * configuration), which opens the store through @graphtrace/setup.
 */
export function init(options: InitOptions = {}): Tracker {
  const { store, trackingUri: _uri, ...rest } = options;
  if (store) {
    defaultTracker = createTracker({ ...rest, store });
    return defaultTracker;
  }
  if (!trackerFactory) {
    throw new GraphtraceError(
      'PACKAGE_NOT_INSTALLED',
      'init() without a store opens its tracking URI through @graphtrace/setup, which is not loaded: ' +
        "npm i @graphtrace/setup and import it once (import '@graphtrace/setup'), or pass init({ store })",
    );
  }
  defaultTracker = trackerFactory(options);
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

/**
 * Wraps `fn` so each call records a span (resolved against the default tracker at call time);
 * `@trace()` / `@trace(options)` does the same for a class method.
 */
export function trace<F extends (...args: any[]) => any>(fn: F, options?: TraceOptions): F;
export function trace(options?: TraceOptions): TraceDecorator;
export function trace(a?: unknown, b?: TraceOptions): unknown {
  return traceOrDecorate(currentTracer, a, b);
}

export function withSpan<T>(fn: SpanFn<T>, options?: SpanOptions): T;
export function withSpan<T>(options: SpanOptions, fn: SpanFn<T>): T;
export function withSpan<T>(a: SpanFn<T> | SpanOptions, b?: SpanFn<T> | SpanOptions): T {
  const [fn, options] = withSpanArgs(a, b);
  const span = currentTracer().startSpan(options);
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

const said = new Set<string>();
function warnOnce(message: string): void {
  if (said.has(message)) return;
  said.add(message);
  (defaultTracker?.logger ?? consoleLogger).warn(`${message} (said once)`);
}

/**
 * The headers that carry the active span to a service this program calls: W3C `traceparent`
 * (and `tracestate` when one came in). With no active span: `{}`, and a warning once.
 */
export function getTracingContextHeadersForHttpRequest(): Record<string, string> {
  const span = getCurrentActiveSpan();
  if (!span || /^tr-0+$/.test(span.traceId)) {
    warnOnce(
      'getTracingContextHeadersForHttpRequest: no active span, so no trace context is sent; call it inside withSpan() or a traced function',
    );
    return {};
  }
  return headersFor(span);
}

/**
 * Runs `fn` as the continuation of the caller's span named by a request's `traceparent`
 * header: the spans `fn` starts join the caller's trace, under that span. Headers without a
 * valid one are reported once and `fn` runs as usual, starting traces of its own.
 */
export function withTracingContextFromHeaders<T>(headers: HeadersLike, fn: () => T): T {
  const parent = remoteParentFrom(headers);
  if (!parent) {
    warnOnce(
      "withTracingContextFromHeaders: the headers carry no valid 'traceparent' (send them with getTracingContextHeadersForHttpRequest()); the spans start a trace of their own",
    );
  }
  return runWithRemoteParent(parent, fn);
}

/** `withTracingContextFromHeaders` for an async `fn` (MLflow's SDK has both names). */
export function withTracingContextFromHeadersAsync<T>(
  headers: HeadersLike,
  fn: () => Promise<T>,
): Promise<T> {
  return withTracingContextFromHeaders(headers, fn);
}
