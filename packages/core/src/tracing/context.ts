import { type Context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * graphtrace's own context manager: OpenTelemetry's AsyncLocalStorage implementation, but a
 * private instance that is never registered globally, so a user's OpenTelemetry set-up (or
 * lack of one) is neither replaced nor disturbed, and theirs cannot re-parent our spans.
 */
const manager = new AsyncLocalStorageContextManager().enable();

const SPAN_KEY = createContextKey('graphtrace.activeSpan');
const RUN_KEY = createContextKey('graphtrace.activeRun');

export function activeContext(): Context {
  return manager.active();
}

export function contextValue<T>(
  key: 'span' | 'run',
  ctx: Context = manager.active(),
): T | undefined {
  return ctx.getValue(key === 'span' ? SPAN_KEY : RUN_KEY) as T | undefined;
}

export function runInContext<R>(key: 'span' | 'run', value: unknown, fn: () => R): R {
  return manager.with(manager.active().setValue(key === 'span' ? SPAN_KEY : RUN_KEY, value), fn);
}

/** Runs `fn` in `ctx` (captured earlier with `activeContext()`). */
export function runWithContext<R>(ctx: Context, fn: () => R): R {
  return manager.with(ctx, fn);
}

export { ROOT_CONTEXT };
