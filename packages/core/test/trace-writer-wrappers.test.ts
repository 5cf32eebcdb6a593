import { describe, expect, it } from 'vitest';
import { GraphtraceError } from '../src/errors.js';
import { memoryLogger } from '../src/logger.js';
import { memoryStore } from '../src/memory/memory-store.js';
import { fallbackStore } from '../src/resilience/fallback-store.js';
import { resilientStore } from '../src/resilience/resilient-store.js';
import { spoolWriter } from '../src/resilience/spool-writer.js';
import { makeTraceInfo, makeTraceTree, newTraceId } from '../src/testing/fixtures.js';
import { traceWriterSpec } from '../src/testing/trace-writer.spec.js';
import { flakyStore, refusedPort } from './resilience-helpers.js';

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

const refused = await refusedPort();
traceWriterSpec({
  name: 'fallbackStore whose server refuses',
  capabilities,
  create: () => memoryStore(),
  // The primary is never used: the check of a refusing server hands every write to the fallback.
  writer: (fallback) =>
    fallbackStore({
      primary: memoryStore(),
      primaryUri: `http://127.0.0.1:${refused}`,
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
});
