import { describe, expect, it } from 'vitest';
import { GraphtraceError } from '../src/errors.js';
import { memoryLogger } from '../src/logger.js';
import { memoryStore } from '../src/memory/memory-store.js';
import { fallbackStore } from '../src/resilience/fallback-store.js';
import { resilientStore } from '../src/resilience/resilient-store.js';
import { spoolWriter } from '../src/resilience/spool-writer.js';
import type { TrackingStore } from '../src/store/tracking-store.js';
import { makeTraceInfo, makeTraceTree, newTraceId } from '../src/testing/fixtures.js';
import { traceWriterSpec } from '../src/testing/trace-writer.spec.js';
import { flakyStore, serverDouble } from './resilience-helpers.js';

// The write-port conformance spec, run on each wrapper of trace writes on its own.

const capabilities = {
  persistent: false,
  deleteTraces: true,
  assessments: true,
  searchRunsFilter: true,
};

traceWriterSpec({
  name: 'spoolWriter over a memory primary',
  capabilities,
  create: () => memoryStore(),
  writer: (primary) =>
    spoolWriter({
      primary,
      spool: memoryStore(),
      experimentName: () => undefined,
      logger: memoryLogger(),
    }),
});

traceWriterSpec({
  name: 'resilientStore over a memory primary',
  capabilities,
  create: () => memoryStore(),
  writer: (primary) =>
    resilientStore({
      primary,
      spool: memoryStore(),
      fallback: () => memoryStore(),
      logger: memoryLogger(),
    }),
});

traceWriterSpec({
  name: 'fallbackStore whose server refuses',
  capabilities,
  create: () => memoryStore(),
  // The primary is never used: the check of a refusing server hands every write to the fallback.
  writer: (fallback) =>
    fallbackStore({
      primary: serverDouble(memoryStore(), { answer: 'refused' }),
      fallback: () => fallback,
      logger: memoryLogger(),
    }),
});

describe('spoolWriter: a wrapper of the write port alone', () => {
  it('keeps in the spool, under the named experiment, what a primary that is away cannot take', async () => {
    const state = { down: true };
    const inner = memoryStore();
    const spool = memoryStore();
    const logger = memoryLogger();
    const writer = spoolWriter({
      primary: flakyStore(inner, state),
      spool,
      experimentName: (id) => (id === '7' ? 'agents' : undefined),
      logger,
      drainIntervalMs: 60_000,
    });
    const traceId = newTraceId();
    await writer.logSpans('7', makeTraceTree(traceId));
    await writer.startTrace(makeTraceInfo('7', traceId));
    expect(writer.status()).toEqual({ spooling: true, spooledWrites: 2, drainedTraces: 0 });
    const exp = await spool.getExperimentByName('agents');
    expect((await spool.getTrace(traceId))?.info.experimentId).toBe(exp?.experimentId);
    expect(await inner.getTrace(traceId)).toBeNull();

    state.down = false;
    expect((await writer.drainSpool())?.traces).toBe(1);
    await writer.drainSpool();
    expect(writer.status().spooling).toBe(false);
    expect((await inner.getTrace(traceId))?.spans).toHaveLength(4);
    await writer.close();
  });

  it('passes on, unspooled, an error that says the request is wrong', async () => {
    const spool = memoryStore();
    const primary = memoryStore();
    primary.logSpans = () => Promise.reject(new GraphtraceError('INVALID_ARGUMENT', 'bad span'));
    const writer = spoolWriter({
      primary,
      spool,
      experimentName: () => undefined,
      logger: memoryLogger(),
    });
    await expect(writer.logSpans('0', makeTraceTree(newTraceId()))).rejects.toThrow('bad span');
    expect(writer.status().spooling).toBe(false);
    expect((await spool.searchExperiments()).items.map((e) => e.name)).toEqual(['Default']);
  });

  it("asks a server primary's reachable (within 2 s) before draining, and drains once it answers", async () => {
    const state = { down: true };
    const server = { answer: 'refused' as 'refused' | 'ok' };
    const inner = memoryStore();
    const primary = serverDouble(flakyStore(inner, state), server);
    const writer = spoolWriter({
      primary,
      spool: memoryStore(),
      experimentName: () => undefined,
      logger: memoryLogger(),
      drainIntervalMs: 60_000,
    });
    const traceId = newTraceId();
    await writer.logSpans('0', makeTraceTree(traceId));
    expect(writer.status().spooling).toBe(true);
    // Refused: no drain round, and no call to the primary to find out.
    state.down = false;
    const calls = { ...(primary as unknown as { calls: Record<string, number> }).calls };
    expect(await writer.drainSpool()).toBeNull();
    expect((primary as unknown as { calls: Record<string, number> }).calls).toEqual(calls);
    server.answer = 'ok';
    expect((await writer.drainSpool())?.traces).toBe(1);
    expect((await inner.getTrace(traceId))?.spans).toHaveLength(4);
    // The default precheck budget (3 s) capped at 2 s for a drain (a confirming round may follow).
    expect(primary.budgets.slice(0, 2)).toEqual([2000, 2000]);
    expect(new Set(primary.budgets)).toEqual(new Set([2000]));
    await writer.close();
  });
});

describe('reachable: wrappers forward it where the store they wrap has it', () => {
  const wrap = (primary: TrackingStore) => ({
    spool: spoolWriter({
      primary,
      spool: memoryStore(),
      experimentName: () => undefined,
      logger: memoryLogger(),
    }),
    fallback: fallbackStore({ primary, fallback: () => memoryStore(), logger: memoryLogger() }),
    resilient: resilientStore({
      primary,
      fallback: () => memoryStore(),
      spool: memoryStore(),
      logger: memoryLogger(),
    }),
  });

  it('asks the server primary, with the budget given', async () => {
    const primary = serverDouble(memoryStore(), { answer: 'ok' });
    for (const [name, w] of Object.entries(wrap(primary))) {
      expect(await w.reachable?.(1234), name).toEqual({ ok: true, reason: 'ok', elapsedMs: 1 });
    }
    expect(primary.budgets).toEqual([1234, 1234, 1234]);
  });

  it('leaves it out over a local store', () => {
    for (const [name, w] of Object.entries(wrap(memoryStore()))) {
      expect(w.reachable, name).toBeUndefined();
    }
  });

  it('asks the store in use, deciding nothing: a fallback chosen at start answers for itself', async () => {
    let opened = 0;
    const store = fallbackStore({
      primary: serverDouble(memoryStore(), { answer: 'refused' }),
      fallback: () => {
        opened++;
        return memoryStore();
      },
      logger: memoryLogger(),
    });
    expect((await store.reachable?.(100))?.ok).toBe(false);
    expect([store.mode, opened]).toEqual(['unchecked', 0]);
    await store.chosen();
    expect(store.mode).toBe('fallback');
    expect((await store.reachable?.(100))?.ok).toBe(true);
  });
});
