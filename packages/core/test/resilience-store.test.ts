import { describe, expect, it } from 'vitest';
import { GraphtraceError } from '../src/errors.js';
import { memoryLogger } from '../src/logger.js';
import { memoryStore } from '../src/memory/memory-store.js';
import { resilientStore } from '../src/resilience/resilient-store.js';
import { makeTraceInfo, makeTraceTree, newTraceId } from '../src/testing/fixtures.js';
import { createTracker } from '../src/tracker/tracker.js';
import { flakyStore, serverDouble } from './resilience-helpers.js';

const warnings = (logger: ReturnType<typeof memoryLogger>) =>
  logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);

// The primary's reachable() is a double here; the real GET /health is store-mlflow's, tested there.
describe('resilientStore: start-up fallback', () => {
  it('uses the fallback for the whole process when the server refuses, with one warning naming both URIs', async () => {
    const primaryStore = memoryStore();
    const primary = serverDouble(primaryStore, { answer: 'refused' });
    const fallback = memoryStore();
    const logger = memoryLogger();
    let made = 0;
    const store = resilientStore({
      primary,
      primaryUri: 'http://127.0.0.1:5999',
      fallback: () => {
        made++;
        return fallback;
      },
      fallbackUri: 'sqlite:///mlflow.db',
      logger,
    });
    const t0 = performance.now();
    const exp = await store.getOrCreateExperiment('agents');
    expect(performance.now() - t0).toBeLessThan(100);
    const run = await store.createRun({ experimentId: exp.experimentId });
    await store.logBatch(run.info.runId, { params: [{ key: 'lr', value: '0.1' }] });
    expect((await fallback.getRun(run.info.runId))?.data.params.lr).toBe('0.1');
    expect(await primaryStore.getExperimentByName('agents')).toBeNull();
    expect(made).toBe(1);
    expect(primary.budgets).toEqual([3000]);
    expect(store.status().mode).toBe('fallback');
    expect(store.uri).toBe('memory:');
    const w = warnings(logger);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('http://127.0.0.1:5999');
    expect(w[0]).toContain('sqlite:///mlflow.db');
    expect(w[0]).toMatch(/ECONNREFUSED/);
    expect(w[0]).toMatch(/graphtrace sync --from sqlite:\/\/\/mlflow.db --to http/);
  });

  it('names the primary by its own uri when no primaryUri is given', async () => {
    const logger = memoryLogger();
    const store = resilientStore({
      primary: serverDouble(memoryStore(), { answer: 'refused' }, 'http://mlflow.test:5000'),
      fallback: () => memoryStore(),
      fallbackUri: 'sqlite:///mlflow.db',
      logger,
    });
    await store.getOrCreateExperiment('agents');
    expect(warnings(logger)[0]).toMatch(
      /^MLflow server http:\/\/mlflow\.test:5000 is unreachable \(connection refused \(ECONNREFUSED\), decided in 1 ms\)/,
    );
  });

  it('decides a hung server within the budget and does not hold traced code hostage', async () => {
    const fallback = memoryStore();
    const logger = memoryLogger();
    const primary = serverDouble(memoryStore(), { answer: 'silent' });
    const store = resilientStore({
      primary,
      fallback: () => fallback,
      precheckTimeoutMs: 500,
      logger,
    });
    const tracker = createTracker({
      store,
      logger,
      handleExitSignals: false,
      experimentName: 'hung',
    });
    // The traced function runs at its own speed: export (and so the check) is asynchronous.
    const t0 = performance.now();
    const out = tracker.withSpan({ name: 'work' }, () => 42);
    const spanMs = performance.now() - t0;
    expect(out).toBe(42);
    expect(spanMs).toBeLessThan(50);
    const f0 = performance.now();
    await tracker.flushTraces();
    const flushMs = performance.now() - f0;
    expect(flushMs).toBeGreaterThanOrEqual(450);
    expect(flushMs).toBeLessThan(2500);
    expect(primary.budgets).toEqual([500]);
    const exp = await fallback.getExperimentByName('hung');
    expect(
      (await fallback.searchTraces({ experimentIds: [exp!.experimentId] })).items,
    ).toHaveLength(1);
    expect(warnings(logger)[0]).toMatch(/no answer within 500 ms/);
  });

  it('uses the primary when its server answers, checking only once', async () => {
    const primaryStore = memoryStore();
    const primary = serverDouble(primaryStore, { answer: 'ok' });
    const store = resilientStore({
      primary,
      fallback: () => {
        throw new Error('must not be made');
      },
      logger: memoryLogger(),
    });
    await store.getOrCreateExperiment('a');
    await store.getOrCreateExperiment('b');
    expect(primary.budgets).toEqual([3000]);
    expect(store.status().mode).toBe('primary');
    expect(await primaryStore.getExperimentByName('b')).not.toBeNull();
  });

  it('does not check a primary that is not a server', async () => {
    const store = resilientStore({
      primary: memoryStore(),
      fallback: () => {
        throw new Error('must not be made');
      },
      logger: memoryLogger(),
    });
    await store.getOrCreateExperiment('x');
    expect(store.status().mode).toBe('primary');
  });

  it('reports a fallback that cannot be opened, and tries again on the next call', async () => {
    let attempts = 0;
    const store = resilientStore({
      primary: serverDouble(memoryStore(), { answer: 'refused' }),
      fallback: () => {
        attempts++;
        if (attempts === 1) throw new Error('disk full');
        return memoryStore();
      },
      logger: memoryLogger(),
    });
    const err = (await store
      .getOrCreateExperiment('x')
      .catch((e: unknown) => e)) as GraphtraceError;
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(/disk full/);
    expect(err.message).toMatch(/MLflow server http:\/\/mlflow\.test:5000 is unreachable/);
    await store.getOrCreateExperiment('x');
    expect(attempts).toBe(2);
  });
});

describe('resilientStore: mid-run outage and the spool', () => {
  it('spools traces the primary cannot take, warns once, and drains them when it answers again', async () => {
    const state = { down: false };
    const inner = memoryStore();
    const primary = flakyStore(inner, state);
    const spool = memoryStore();
    const logger = memoryLogger();
    const store = resilientStore({
      primary,
      spool,
      fallback: () => memoryStore(),
      logger,
      drainIntervalMs: 60_000,
    });
    const tracker = createTracker({
      store,
      logger,
      handleExitSignals: false,
      experimentName: 'loop',
    });
    const expId = await tracker.experimentId();

    const run = async (n: number, from: number) => {
      for (let i = from; i < from + n; i++) {
        await tracker.trace(
          async () => {
            tracker.withSpan({ name: 'step', spanType: 'TOOL' }, () => i);
            return i;
          },
          { name: `agent-${i}` },
        )();
      }
      await tracker.flushTraces();
    };

    await run(5, 0);
    state.down = true;
    await run(10, 5);
    expect(store.status().spooling).toBe(true);
    expect(tracker.stats().droppedTraces).toBe(0);
    const w = warnings(logger);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/stopped answering/);
    expect(w[0]).toMatch(/only traces are/);
    // The spool keeps them under a same-named experiment.
    const spoolExp = await spool.getExperimentByName('loop');
    expect(
      (await spool.searchTraces({ experimentIds: [spoolExp!.experimentId], maxResults: 100 }))
        .items,
    ).toHaveLength(10);

    // Runs are not spooled: a clear STORE_UNAVAILABLE.
    const err = (await store
      .createRun({ experimentId: expId })
      .catch((e: unknown) => e)) as GraphtraceError;
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(/not spooled/);

    // Still down: a drain attempt moves nothing.
    expect(await store.drainSpool()).toBeNull();

    state.down = false;
    const moved = await store.drainSpool();
    expect(moved?.traces).toBe(10);
    await store.drainSpool(); // the confirming empty round switches back to the primary
    expect(store.status().spooling).toBe(false);
    expect(
      (await spool.searchTraces({ experimentIds: [spoolExp!.experimentId] })).items,
    ).toHaveLength(0);

    await run(3, 15);
    const all = await inner.searchTraces({ experimentIds: [expId], maxResults: 100 });
    expect(all.items).toHaveLength(18);
    expect(new Set(all.items.map((t) => t.traceId)).size).toBe(18);
    for (const t of all.items) {
      expect(t.state).toBe('OK');
      expect((await inner.getTrace(t.traceId))?.spans).toHaveLength(2);
    }
  });

  it('drains in the background on its own timer', async () => {
    const state = { down: true };
    const inner = memoryStore();
    const spool = memoryStore();
    const logger = memoryLogger();
    const store = resilientStore({
      primary: flakyStore(inner, state),
      spool,
      fallback: () => memoryStore(),
      logger,
      drainIntervalMs: 20,
    });
    const exp = (await inner.getOrCreateExperiment('bg')).experimentId;
    state.down = true;
    const id = newTraceId();
    await store.logSpans(exp, makeTraceTree(id));
    await store.startTrace(makeTraceInfo(exp, id));
    expect(store.status().spooling).toBe(true);
    state.down = false;
    for (let i = 0; i < 100 && store.status().spooling; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(store.status().spooling).toBe(false);
    expect((await inner.getTrace(id))?.spans).toHaveLength(4);
    expect(logger.lines.some((l) => l.level === 'info' && /answers again/.test(l.message))).toBe(
      true,
    );
    await store.close();
  });

  it('does not spool requests the primary refuses as invalid', async () => {
    const primary = memoryStore();
    const spool = memoryStore();
    const bad = Object.assign(Object.create(primary), {
      logSpans: async () => {
        throw new GraphtraceError('INVALID_ARGUMENT', 'bad span');
      },
    });
    const store2 = resilientStore({
      primary: bad,
      spool,
      fallback: () => memoryStore(),
      logger: memoryLogger(),
    });
    const err = (await store2
      .logSpans('0', makeTraceTree(newTraceId()))
      .catch((e: unknown) => e)) as GraphtraceError;
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(store2.status().spooling).toBe(false);
    expect((await spool.searchTraces({ experimentIds: ['0'] })).items).toHaveLength(0);
  });

  it('says so when the spool fails too', async () => {
    const state = { down: true };
    const store = resilientStore({
      primary: flakyStore(memoryStore(), state),
      spool: flakyStore(memoryStore(), state),
      fallback: () => memoryStore(),
      logger: memoryLogger(),
    });
    const err = (await store
      .logSpans('0', makeTraceTree(newTraceId()))
      .catch((e: unknown) => e)) as GraphtraceError;
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(/spool .* refused/);
  });
});
