import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autolog } from '@graphtrace/autolog-langgraph';
import { createTracker, memoryStore, type TrackingStore } from '@graphtrace/core';
import type { ModeTracing } from './mode-tracing.js';
import type { Mode } from './protocol.js';

/** Warnings (e.g. autolog's reachability check) must show; the rest is noise here. */
export function benchLogger(mode: string) {
  return {
    debug() {},
    info() {},
    warn: (m: string) => console.error(`[${mode}] ${m}`),
    error: (m: string) => console.error(`[${mode}] ${m}`),
  };
}

/**
 * graphtrace autolog as setup() turns it on (a global configure hook), into the memory store or
 * SQLite (its worker-thread writer, or batched writes on this thread); each round ends with
 * flushTraces(), so SQLite's figure includes the persisted write.
 */
export async function setUpGraphtrace(mode: Mode): Promise<ModeTracing> {
  let store: TrackingStore;
  let cleanup = () => {};
  if (mode.startsWith('autolog-sql')) {
    const { sqliteStore } = await import('@graphtrace/store-sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'bench-autolog-'));
    store = sqliteStore({
      path: join(dir, 'mlflow.db'),
      traceWriter: mode === 'autolog-sql-inline' ? 'inline' : 'worker',
    });
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  } else {
    store = memoryStore();
  }
  const tracker = createTracker({
    store,
    experimentName: 'bench',
    logger: benchLogger(mode),
    handleExitSignals: false,
  });
  autolog(tracker, {
    scope: mode === 'autolog-mem-process' ? 'process' : 'context',
    recordInternalChains:
      mode === 'autolog-sql-reference' ? 'reference' : mode === 'autolog-sql-off' ? 'off' : 'full',
  });
  return {
    flush: () => tracker.flushTraces(),
    async settle() {
      await store.deleteTraces({
        experimentId: await tracker.experimentId(),
        maxTimestampMillis: Date.now() + 60_000,
        maxTraces: 1_000_000,
      });
      return undefined;
    },
    async countSpans() {
      await tracker.flushTraces();
      const { items: traces } = await store.searchTraces({
        experimentIds: [await tracker.experimentId()],
        maxResults: 1,
      });
      const t = traces[0] ? await store.getTrace(traces[0].traceId) : null;
      return t?.spans.length ?? 0;
    },
    cleanup,
  };
}
