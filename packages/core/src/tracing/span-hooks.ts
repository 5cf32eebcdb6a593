import type { LiveSpan } from './live-span.js';

/** Called with a span when it starts or ends (MLflow's TypeScript SDK hooks). */
export type SpanHook = (span: LiveSpan) => void;

const startHooks = new Set<SpanHook>();
const endHooks = new Set<SpanHook>();
let lastActiveTraceId: string | undefined;

function register(hooks: Set<SpanHook>, hook: SpanHook): () => void {
  if (typeof hook === 'function') hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/**
 * Calls `hook` with every recorded span once its name, type, inputs and attributes are set
 * (it may add attributes). Returns a function that removes the hook.
 */
export function registerOnSpanStartHook(hook: SpanHook): () => void {
  return register(startHooks, hook);
}

/** Calls `hook` with every recorded span when it has ended (read-only by then). */
export function registerOnSpanEndHook(hook: SpanHook): () => void {
  return register(endHooks, hook);
}

/** The id of the last trace whose root span ended in this process; undefined before one. */
export function getLastActiveTraceId(): string | undefined {
  return lastActiveTraceId;
}

/** @internal A hook that throws is reported once; the span and the program go on. */
export function runSpanHooks(which: 'start' | 'end', span: LiveSpan): void {
  const hooks = which === 'start' ? startHooks : endHooks;
  if (hooks.size === 0) return;
  for (const hook of hooks) {
    try {
      hook(span);
    } catch (err) {
      span.trace.reportBadValue(
        `a span ${which} hook`,
        `threw (${err instanceof Error ? err.message : typeof err}); the span was kept`,
      );
    }
  }
}

/** @internal */
export function noteTraceEnded(traceId: string): void {
  lastActiveTraceId = traceId;
}
