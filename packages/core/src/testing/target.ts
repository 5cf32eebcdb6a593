import { afterAll, beforeAll } from 'vitest';
import type { StoreCapabilities, TrackingStore } from '../store/tracking-store.js';

/** How the conformance suite gets a store to test. */
export interface ConformanceTarget {
  /** Shown in test names, e.g. `sqlite`. */
  name: string;
  /** What the store declares it can do; specs of missing capabilities are skipped, by name. */
  capabilities: StoreCapabilities;
  /**
   * Called once per capability spec. Tests isolate themselves with unique experiment names, so
   * one long-lived store (a server) can serve them all.
   */
  create(): Promise<TrackingStore> | TrackingStore;
  /** Called after the spec; defaults to `store.close()`. */
  destroy?(store: TrackingStore): Promise<void> | void;
  /** Per-test timeout for slow stores (a server); default vitest's. */
  timeoutMs?: number;
}

/** Opens the store before the spec's tests and closes it after them. */
export function useStore(target: ConformanceTarget): () => TrackingStore {
  let store: TrackingStore | undefined;
  beforeAll(async () => {
    store = await target.create();
  }, 600_000);
  afterAll(async () => {
    if (!store) return;
    if (target.destroy) await target.destroy(store);
    else await store.close();
  });
  return () => {
    if (!store) throw new Error(`conformance: the ${target.name} store was not created`);
    return store;
  };
}
