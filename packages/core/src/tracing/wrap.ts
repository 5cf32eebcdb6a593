import { DEFAULT_SPAN_NAME, SpanAttributeKey } from '../model/keys.js';
import { SpanType } from '../model/span.js';
import { activeContext, runInContext, runWithContext } from './context.js';
import type { LiveSpan } from './live-span.js';
import type { SpanOptions, Tracer } from './tracer.js';

/** Chunks of a generator or stream kept as the span's outputs, at most. */
const MAX_CHUNKS = 1_000;

/**
 * Reads a property of the caller's value for our own bookkeeping; a getter or Proxy that
 * throws (a revoked Proxy, say) reads as undefined, so the caller gets its value back as it was.
 */
function peek(v: unknown, key: PropertyKey): unknown {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return undefined;
  try {
    return (v as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof peek(v, 'then') === 'function';
}

function tag(v: unknown): string | undefined {
  const t = typeof v === 'object' ? peek(v, Symbol.toStringTag) : undefined;
  return typeof t === 'string' ? t : undefined;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && typeof peek(v, Symbol.asyncIterator) === 'function';
}

/** Records what the caller's code threw; never throws itself (the caller's error goes on). */
function fail(span: LiveSpan, err: unknown): void {
  try {
    span.recordException(err);
    span.end();
  } catch (internal) {
    span.trace.reportInternalError(internal);
  }
}

function finish(span: LiveSpan, value: unknown, recordOutputs: boolean): void {
  try {
    // `withSpan((s) => s.setAttribute(...))` returns the span itself: that is not an output.
    if (recordOutputs && value !== undefined && value !== span && span.outputs === undefined)
      span.setOutputs(value);
    span.end();
  } catch (internal) {
    span.trace.reportInternalError(internal);
  }
}

class ChunkCollector {
  readonly chunks: unknown[] = [];
  dropped = 0;
  add(chunk: unknown): void {
    if (this.chunks.length < MAX_CHUNKS) this.chunks.push(chunk);
    else this.dropped++;
  }
  outputs(): unknown {
    return this.dropped > 0 ? [...this.chunks, `…[${this.dropped} more chunks]`] : this.chunks;
  }
}

/** Wraps an async generator so the span stays open until iteration ends (or is abandoned). */
async function* tracedAsyncIterator<T>(
  source: AsyncIterator<T>,
  span: LiveSpan,
  ctx: ReturnType<typeof activeContext>,
): AsyncGenerator<T> {
  const collected = new ChunkCollector();
  let finished = false;
  try {
    let input: unknown;
    for (;;) {
      const r = await runWithContext(ctx, () => source.next(input as never));
      if (r.done) {
        finished = true;
        finish(span, r.value === undefined ? collected.outputs() : r.value, true);
        return r.value;
      }
      collected.add(r.value);
      input = yield r.value;
    }
  } catch (err) {
    finished = true;
    fail(span, err);
    throw err;
  } finally {
    if (!finished) {
      // The consumer stopped early (break/return): close the source and keep what was seen.
      await source.return?.();
      finish(span, collected.outputs(), true);
    }
  }
}

function* tracedSyncIterator<T>(
  source: Iterator<T>,
  span: LiveSpan,
  ctx: ReturnType<typeof activeContext>,
): Generator<T> {
  const collected = new ChunkCollector();
  let finished = false;
  try {
    let input: unknown;
    for (;;) {
      const r = runWithContext(ctx, () => source.next(input as never));
      if (r.done) {
        finished = true;
        finish(span, r.value === undefined ? collected.outputs() : r.value, true);
        return r.value;
      }
      collected.add(r.value);
      input = yield r.value;
    }
  } catch (err) {
    finished = true;
    fail(span, err);
    throw err;
  } finally {
    if (!finished) {
      source.return?.();
      finish(span, collected.outputs(), true);
    }
  }
}

/**
 * A stream object (for example a ReadableStream) whose async iteration ends the span; every
 * other property is the original's, bound to it so native methods keep working.
 */
function tracedStream<T extends AsyncIterable<unknown>>(
  stream: T,
  span: LiveSpan,
  ctx: ReturnType<typeof activeContext>,
): T {
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === Symbol.asyncIterator) {
        return () => tracedAsyncIterator(target[Symbol.asyncIterator](), span, ctx);
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Ends `span` when `result` is complete: now, when a promise settles, or when iteration ends. */
function settle(
  span: LiveSpan,
  result: unknown,
  recordOutputs: boolean,
  followStreams: boolean,
): unknown {
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      (value) => settle(span, value, recordOutputs, followStreams),
      (err) => {
        fail(span, err);
        throw err;
      },
    );
  }
  if (followStreams && span.isRecording()) {
    const kind = tag(result);
    if (kind === 'AsyncGenerator')
      return tracedAsyncIterator(result as AsyncGenerator, span, activeContext());
    if (kind === 'Generator') return tracedSyncIterator(result as Generator, span, activeContext());
    if (isAsyncIterable(result)) return tracedStream(result, span, activeContext());
  }
  finish(span, result, recordOutputs);
  return result;
}

/** Runs `fn` with `span` active and ends the span when `fn`'s result is complete. */
export function runInSpan<T>(
  span: LiveSpan,
  fn: () => T,
  recordOutputs: boolean,
  followStreams: boolean,
): T {
  return runInContext('span', span, () => {
    let result: unknown;
    try {
      result = fn();
    } catch (err) {
      fail(span, err);
      throw err;
    }
    return settle(span, result, recordOutputs, followStreams) as T;
  });
}

// Parameter names from a function's source, so inputs read `{ question: … }` not `{ 0: … }`.
function parameterNames(fn: (...args: never[]) => unknown): string[] | null {
  try {
    const src = Function.prototype.toString.call(fn);
    const m = /^[^(]*\(([^)]*)\)/.exec(src) ?? /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
    if (!m) return null;
    const names = m[1]!
      .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      .split(',')
      .map(
        (p) =>
          p
            .trim()
            .replace(/^\.\.\./, '')
            .split(/[=\s]/)[0]!,
      )
      .filter((p) => p.length > 0);
    return names.every((n) => /^[A-Za-z_$][\w$]*$/.test(n)) ? names : null;
  } catch {
    return null;
  }
}

function inputsFrom(names: string[] | null, args: unknown[]): unknown {
  if (!names || names.length === 0) return args.length === 0 ? {} : { args };
  const out: Record<string, unknown> = {};
  names.forEach((n, i) => {
    if (i < args.length) out[n] = args[i];
  });
  if (args.length > names.length) out.args = args.slice(names.length);
  return out;
}

export interface TraceOptions extends SpanOptions {}

/**
 * `trace(fn, options)`: a function that records a span per call, with its arguments as inputs
 * and its result as outputs; async functions, async generators and returned streams end the
 * span when they complete.
 */
export function traceFunction<F extends (...args: any[]) => any>(
  tracer: () => Tracer,
  fn: F,
  options: TraceOptions = {},
): F {
  const names = parameterNames(fn);
  const name = options.name ?? (fn.name || DEFAULT_SPAN_NAME);
  const traced = function (this: unknown, ...args: unknown[]) {
    const span = tracer().startSpan({
      name,
      spanType: options.spanType ?? SpanType.UNKNOWN,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    });
    if (span.isRecording()) {
      span.setInputs(options.inputs ?? inputsFrom(names, args));
      span.setAttribute(SpanAttributeKey.FUNCTION_NAME, fn.name || name);
    }
    return runInSpan(span, () => fn.apply(this, args), true, true);
  };
  Object.defineProperty(traced, 'name', { value: fn.name });
  Object.defineProperty(traced, 'length', { value: fn.length });
  return traced as unknown as F;
}

/** What `trace(options)` returns: a method decorator, in TC39 or `experimentalDecorators` form. */
export type TraceDecorator = (...args: any[]) => any;

/**
 * `trace(fn, options?)` wraps a function; `trace(options?)` decorates a method, detected as
 * MLflow's SDK detects it: two arguments with a context object are a TC39 decorator call,
 * anything else the legacy `(prototype, key, descriptor)` form. The span is named after the
 * method unless `options.name` says otherwise.
 */
export function traceOrDecorate(
  tracer: () => Tracer,
  a: unknown,
  b?: TraceOptions,
): ((...args: any[]) => any) | TraceDecorator {
  if (typeof a === 'function') return traceFunction(tracer, a as (...args: any[]) => any, b);
  const options: TraceOptions = a !== null && typeof a === 'object' ? (a as TraceOptions) : {};
  return function decorate(...args: unknown[]): unknown {
    const [target, second, descriptor] = args;
    const named = (fn: { name: string }, key: unknown) => ({
      ...options,
      name: options.name ?? (fn.name || String(key ?? DEFAULT_SPAN_NAME)),
    });
    if (args.length === 2 && second !== null && typeof second === 'object') {
      if (typeof target !== 'function') return target;
      return traceFunction(
        tracer,
        target as (...a: any[]) => any,
        named(target, peek(second, 'name')),
      );
    }
    const d = descriptor as PropertyDescriptor | undefined;
    if (d && typeof d.value === 'function')
      d.value = traceFunction(tracer, d.value, named(d.value, second));
    return d;
  };
}

export type SpanFn<T> = (span: LiveSpan) => T;

/** `withSpan(fn, options?)` or `withSpan(options, fn)`: normalises the two call shapes. */
export function withSpanArgs<T>(
  a: SpanFn<T> | SpanOptions,
  b?: SpanFn<T> | SpanOptions,
): [SpanFn<T>, SpanOptions & { name: string }] {
  const [fn, options] =
    typeof a === 'function' ? [a, (b as SpanOptions | undefined) ?? {}] : [b, a];
  if (typeof fn !== 'function')
    throw new TypeError(
      'withSpan needs a function: withSpan(fn, options) or withSpan(options, fn)',
    );
  // As MLflow's SDK: the callback's own name is not used (unlike trace(), which wraps a function).
  return [fn, { ...options, name: options.name || DEFAULT_SPAN_NAME }];
}
