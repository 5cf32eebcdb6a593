import { errorMessage, GraphtraceError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  type Experiment,
} from '../model/experiment.js';
import type { TraceWriter } from '../store/trace-writer.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { fallbackStore, type ResilientMode } from './fallback-store.js';
import { forwardCalls, forwardReachable } from './forward-calls.js';
import { NOT_SPOOLED, type SpoolStatus, spoolWriter } from './spool-writer.js';
import { isUnavailable, type SyncSpoolResult } from './sync-spool.js';

export type { ResilientMode } from './fallback-store.js';

export interface ResilientStoreOptions {
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
  /**
   * A durable store for traces the primary could not take mid-run (in practice
   * `sqliteStore({ path: '.graphtrace/spool.db' })`). Without it such traces are lost (and
   * reported by the span pipeline).
   */
  spool?: TrackingStore;
  logger: Logger;
  /** How often the spool tries to drain while the primary is away. Default 5000 ms. */
  drainIntervalMs?: number;
  /** Traces moved per drain round, so a drain never monopolises the process. Default 500. */
  drainBatch?: number;
}

export interface ResilientStatus extends SpoolStatus {
  mode: ResilientMode;
}

/** A TrackingStore with the fallback and spool behaviour; `status()` and `drainSpool()` for the curious. */
export interface ResilientStore extends TrackingStore {
  status(): ResilientStatus;
  /** Tries now to move spooled traces to the primary (no-op when it does not answer). */
  drainSpool(): Promise<SyncSpoolResult | null>;
}

const NO_SPOOL: SpoolStatus = { spooling: false, spooledWrites: 0, drainedTraces: 0 };

/**
 * Composes stores so one program writes to an MLflow server when there is one, to a local
 * store when there is not, and loses no trace when the server disappears mid-run:
 *
 * - Before the first call, `fallbackStore` chooses the primary or the fallback for the rest of
 *   the process.
 * - On the primary, trace writes go through `spoolWriter`, which keeps what the primary cannot
 *   take mid-run and drains it back.
 * - Everything else fails with STORE_UNAVAILABLE while the primary is away.
 *
 * Uses only the store ports: the wiring code chooses the concrete stores.
 */
export function resilientStore(o: ResilientStoreOptions): ResilientStore {
  const choice = fallbackStore(o);
  /** Primary experiment id → name, so spooled traces land in a same-named spool experiment. */
  const names = new Map<string, string>([[DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME]]);
  const spool = o.spool
    ? spoolWriter({ ...o, spool: o.spool, experimentName: (id) => names.get(id) })
    : null;

  const calls = forwardCalls(async (call) => {
    const s = await choice.chosen();
    try {
      return await call(s);
    } catch (err) {
      // On the primary, an outage becomes a clear STORE_UNAVAILABLE saying what is not kept.
      if (s === o.primary && isUnavailable(err)) {
        throw new GraphtraceError('STORE_UNAVAILABLE', `${errorMessage(err)} (${NOT_SPOOLED})`, {
          cause: err,
        });
      }
      throw err;
    }
  });
  const remember = <E extends Experiment | null>(e: E): E => {
    if (e) names.set(e.experimentId, e.name);
    return e;
  };
  const writer = async (): Promise<TraceWriter> => {
    const s = await choice.chosen();
    return s === o.primary && spool ? spool : s;
  };

  return {
    ...calls,
    ...forwardReachable(choice),
    getOrCreateExperiment: async (name, options) =>
      remember(await calls.getOrCreateExperiment(name, options)),
    getExperiment: async (id) => remember(await calls.getExperiment(id)),
    getExperimentByName: async (name) => remember(await calls.getExperimentByName(name)),
    get uri() {
      return choice.uri;
    },
    get capabilities() {
      return choice.capabilities;
    },
    async startTrace(info, options) {
      await (await writer()).startTrace(info, options);
      return info;
    },
    async logSpans(experimentId, spans, options) {
      if (spans.length === 0) return;
      await (await writer()).logSpans(experimentId, spans, options);
    },
    status: () => ({ mode: choice.mode, ...(spool?.status() ?? NO_SPOOL) }),
    drainSpool: async () => (spool && choice.mode === 'primary' ? spool.drainSpool() : null),
    async close() {
      await spool?.close();
      for (const store of new Set([o.primary, choice.fallbackStore, o.spool])) await store?.close();
    },
  };
}
