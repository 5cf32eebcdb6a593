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
const REMOTE_KEY = createContextKey('graphtrace.remoteParent');
const KEYS = { span: SPAN_KEY, run: RUN_KEY, remote: REMOTE_KEY };

/** What the context carries: the active span, the active run, a caller's span in another process. */
export type ContextKey = keyof typeof KEYS;

export function activeContext(): Context {
  return manager.active();
}

export function contextValue<T>(key: ContextKey, ctx: Context = manager.active()): T | undefined {
  return ctx.getValue(KEYS[key]) as T | undefined;
}

export function runInContext<R>(key: ContextKey, value: unknown, fn: () => R): R {
  return manager.with(manager.active().setValue(KEYS[key], value), fn);
}

/** Runs `fn` in `ctx` (captured earlier with `activeContext()`). */
export function runWithContext<R>(ctx: Context, fn: () => R): R {
  return manager.with(ctx, fn);
}

export { ROOT_CONTEXT };
