import { errorMessage, GraphtraceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { forwardCalls, forwardReachable } from './forward-calls.js';

/** Budget of the primary's reachability check at start. */
export const DEFAULT_PRECHECK_TIMEOUT_MS = 3000;

export interface FallbackStoreOptions {
  /**
   * The store to use when it answers (in practice an MLflow server store). Its `reachable` is
   * asked before the first call; a primary without one (a local store) is used unchecked.
   */
  primary: TrackingStore;
  /** The primary's URI in messages; default `primary.uri`. */
  primaryUri?: string;
  /** Made only when the primary is unreachable at start (in practice `sqliteStore({ path: 'mlflow.db' })`). */
  fallback: () => TrackingStore | Promise<TrackingStore>;
  /** Named in the warning; default the fallback store's own `uri`. */
  fallbackUri?: string;
  /** Budget of the reachability check. Default 3000 ms. */
  precheckTimeoutMs?: number;
  logger: Logger;
}

export type ResilientMode = 'unchecked' | 'primary' | 'fallback';

/** A TrackingStore that is its primary, or its fallback when the primary did not answer at start. */
export interface FallbackStore extends TrackingStore {
  /** `unchecked` until the first call has decided. */
  readonly mode: ResilientMode;
  /** The fallback store, once it has been chosen (and opened). */
  readonly fallbackStore: TrackingStore | null;
  /** The store every call goes to; decided (once) by the first caller. */
  chosen(): Promise<TrackingStore>;
}

/**
 * The start-up choice: before the first call, the primary says whether it answers within a
 * budget (`reachable`). Unreachable: one warning naming both URIs, and the fallback store serves
 * the rest of the process. A fallback that cannot be opened fails the call, and is tried again
 * on the next.
 */
export function fallbackStore(o: FallbackStoreOptions): FallbackStore {
  const primaryUri = o.primaryUri ?? o.primary.uri;
  let mode: ResilientMode = 'unchecked';
  let fallback: TrackingStore | null = null;
  let decision: Promise<TrackingStore> | null = null;

  const decide = async (): Promise<TrackingStore> => {
    const r = await o.primary.reachable?.(o.precheckTimeoutMs ?? DEFAULT_PRECHECK_TIMEOUT_MS);
    if (!r || r.ok) {
      mode = 'primary';
      return o.primary;
    }
    let fb: TrackingStore;
    try {
      fb = await o.fallback();
    } catch (err) {
      throw new GraphtraceError(
        'STORE_UNAVAILABLE',
        `MLflow server ${primaryUri} is unreachable (${r.reason}) and the fallback store could not be opened: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    fallback = fb;
    mode = 'fallback';
    const fbUri = o.fallbackUri ?? fb.uri;
    o.logger.warn(
      `MLflow server ${primaryUri} is unreachable (${r.reason}, decided in ${r.elapsedMs} ms): ` +
        `writing to ${fbUri} instead for the rest of this process. Start the server or correct the ` +
        `tracking URI for the next run; then \`graphtrace sync --from ${fbUri} --to ${primaryUri}\` ` +
        'copies what was written here.',
    );
    return fb;
  };

  const chosen = (): Promise<TrackingStore> => {
    decision ??= decide().catch((err: unknown) => {
      decision = null; // a failed fallback factory is tried again on the next call
      throw err;
    });
    return decision;
  };

  return {
    ...forwardCalls(async (call) => call(await chosen())),
    // The store in use answers: the primary until a fallback is chosen (asking decides nothing).
    ...forwardReachable(o.primary, () => fallback ?? o.primary),
    get uri() {
      return (fallback ?? o.primary).uri;
    },
    get capabilities() {
      return (fallback ?? o.primary).capabilities;
    },
    get mode() {
      return mode;
    },
    get fallbackStore() {
      return fallback;
    },
    chosen,
    startTrace: async (info, options) => (await chosen()).startTrace(info, options),
    logSpans: async (experimentId, spans, options) =>
      (await chosen()).logSpans(experimentId, spans, options),
    async close() {
      for (const store of new Set([o.primary, fallback])) await store?.close();
    },
  };
}
