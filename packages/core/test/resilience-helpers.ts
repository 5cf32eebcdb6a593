import { GraphtraceError } from '../src/errors.js';
import type { ReachabilityResult, TrackingStore } from '../src/store/tracking-store.js';

/** Wraps a store: every call fails with STORE_UNAVAILABLE while `state.down`; calls are counted. */
export function flakyStore(
  inner: TrackingStore,
  state: { down: boolean },
): TrackingStore & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'calls') return calls;
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close') return value;
      return async (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        if (state.down)
          throw new GraphtraceError(
            'STORE_UNAVAILABLE',
            `${String(prop)}: connection refused (test)`,
          );
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  }) as TrackingStore & { calls: Record<string, number> };
}

/** What a server would answer a reachability check: at once, either way, or nothing at all. */
export type ServerAnswer = 'ok' | 'refused' | 'silent';

/**
 * A primary that talks to a server, as far as resilience sees it: `inner`'s calls, a server
 * URI, and a `reachable(budget)` answering as `state.answer` says — ok or refused at once (as
 * GET /health does for a live server or a closed port), or, for a server that accepts and never
 * answers, nothing until the budget runs out. The budgets asked are kept in `budgets`.
 */
export function serverDouble(
  inner: TrackingStore,
  state: { answer: ServerAnswer },
  uri = 'http://mlflow.test:5000',
): TrackingStore & { budgets: number[] } {
  const budgets: number[] = [];
  const reachable = async (timeoutMs: number): Promise<ReachabilityResult> => {
    budgets.push(timeoutMs);
    if (state.answer === 'ok') return { ok: true, reason: 'ok', elapsedMs: 1 };
    if (state.answer === 'refused')
      return { ok: false, reason: 'connection refused (ECONNREFUSED)', elapsedMs: 1 };
    await new Promise((r) => setTimeout(r, timeoutMs));
    return { ok: false, reason: `no answer within ${timeoutMs} ms`, elapsedMs: timeoutMs };
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'reachable') return reachable;
      if (prop === 'budgets') return budgets;
      if (prop === 'uri') return uri;
      return Reflect.get(target, prop, receiver);
    },
  }) as TrackingStore & { budgets: number[] };
}
