import { describe, expect, it } from 'vitest';
import {
  createTracker,
  memoryLogger,
  memoryStore,
  type Span,
  type TrackingStore,
  type WriteOptions,
} from '../src/index.js';
import { setup } from './helpers.js';

/** A store that fails every write, or only while `down` is true. */
function flakyStore(inner: TrackingStore, state: { down: boolean }): TrackingStore {
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      if (state.down) throw new Error('connection refused');
      return fn(...a);
    };
  return Object.assign(Object.create(inner) as TrackingStore, {
    logSpans: guard(inner.logSpans.bind(inner)),
    startTrace: guard(inner.startTrace.bind(inner)),
  });
}

/** A store that refuses any write holding a span named `poison`, as a store refuses a bad row. */
function poisonedStore(inner: TrackingStore): TrackingStore {
  return Object.assign(Object.create(inner) as TrackingStore, {
    logSpans: async (experimentId: string, spans: readonly Span[]) => {
      if (spans.some((s) => s.name === 'poison'))
        throw new TypeError('SQLite3 can only bind numbers, strings, bigints, buffers, and null');
      return inner.logSpans(experimentId, spans);
    },
  });
}

describe('span pipeline', () => {
  it('loses only the trace of a span the store refuses, not the batch around it', async () => {
    const inner = memoryStore();
    const logger = memoryLogger();
    const tracker = createTracker({
      store: poisonedStore(inner),
      experimentName: 'poison',
      logger,
      handleExitSignals: false,
    });
    for (let i = 0; i < 300; i++) {
      tracker.withSpan({ name: `good-${i}` }, () => tracker.withSpan({ name: 'child' }, () => i));
      if (i === 150)
        tracker.withSpan({ name: 'bad' }, () => tracker.withSpan({ name: 'poison' }, () => 0));
    }
    await tracker.flushTraces();
    const exp = await tracker.experimentId();
    const { items: traces } = await inner.searchTraces({ experimentIds: [exp], maxResults: 1000 });
    const good = traces.filter((t) => t.tags['mlflow.traceName']!.startsWith('good-'));
    expect(good).toHaveLength(300);
    for (const t of good) expect((await inner.getTrace(t.traceId))!.spans).toHaveLength(2);
    expect(tracker.stats()).toMatchObject({ droppedSpans: 2, exportedSpans: 600 });
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    await tracker.shutdown();
  });

  it('flushes a 10,000-span trace completely', async () => {
    const { tracker, traces, spansOf } = setup();
    tracker.withSpan({ name: 'root' }, () => {
      for (let i = 0; i < 9_999; i++)
        tracker.withSpan({ name: `s${i}` }, (s) => s.setAttribute('i', i));
    });
    const [t] = await traces();
    expect(t!.state).toBe('OK');
    const spans = await spansOf(t!.traceId);
    expect(spans).toHaveLength(10_000);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(10_000);
    expect(t!.traceMetadata['graphtrace.agent.spans']).toBe('10000');
    expect(tracker.stats()).toMatchObject({
      exportedSpans: 10_000,
      exportedTraces: 1,
      droppedSpans: 0,
    });
  });

  it('never blocks on the store: spans are written after the traced code returns', async () => {
    const { tracker, store } = setup();
    const result = tracker.withSpan({ name: 'quick' }, () => 'done');
    expect(result).toBe('done');
    expect((await store.searchTraces({ experimentIds: ['0', '1'] })).items).toHaveLength(0);
    await tracker.flushTraces();
    expect(
      (await store.searchTraces({ experimentIds: [await tracker.experimentId()] })).items,
    ).toHaveLength(1);
  });

  it('a failing store never breaks the traced function, and is reported once', async () => {
    const state = { down: true };
    const inner = memoryStore();
    const logger = memoryLogger();
    const tracker = createTracker({
      store: flakyStore(inner, state),
      logger,
      handleExitSignals: false,
      pipeline: { batchSize: 10 },
    });
    for (let i = 0; i < 50; i++) {
      expect(tracker.withSpan({ name: `t${i}` }, () => i * 2)).toBe(i * 2);
      await tracker.flushTraces();
    }
    await expect(tracker.withSpan({ name: 'async' }, async () => 'ok')).resolves.toBe('ok');
    await tracker.flushTraces();
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('connection refused');
    expect(tracker.stats().droppedSpans).toBe(51);

    state.down = false;
    tracker.withSpan({ name: 'after' }, () => 1);
    await tracker.flushTraces();
    expect(logger.lines.some((l) => l.level === 'info' && l.message.includes('recovered'))).toBe(
      true,
    );
    expect(
      (await inner.searchTraces({ experimentIds: ['0'] })).items.map(
        (t) => t.tags['mlflow.traceName'],
      ),
    ).toEqual(['after']);
  });

  it('bounds memory: beyond the queue limit spans are dropped, counted and reported once', async () => {
    const blocked: { release?: () => void } = {};
    const inner = memoryStore();
    const slow = Object.assign(Object.create(inner) as TrackingStore, {
      logSpans: async (e: string, s: readonly Span[]) => {
        await new Promise<void>((r) => {
          blocked.release = r;
        });
        return inner.logSpans(e, s);
      },
    });
    const logger = memoryLogger();
    const tracker = createTracker({
      store: slow,
      logger,
      handleExitSignals: false,
      pipeline: { maxQueueSize: 100, batchSize: 50, scheduleDelayMs: 0 },
    });
    tracker.withSpan({ name: 'first' }, () => 0);
    await new Promise((r) => setTimeout(r, 5)); // the first export is now waiting on the store
    tracker.withSpan({ name: 'big' }, () => {
      for (let i = 0; i < 500; i++) tracker.withSpan({ name: `s${i}` }, () => i);
    });
    expect(tracker.stats().droppedSpans).toBeGreaterThan(300);
    expect(logger.lines.filter((l) => l.message.includes('queue full'))).toHaveLength(1);
    const flushing = tracker.flushTraces();
    const release = setInterval(() => blocked.release?.(), 1);
    await flushing;
    clearInterval(release);
    // The trace's size stats count only the spans that were written (MLflow checks this).
    const { items: traces } = await inner.searchTraces({
      experimentIds: ['0'],
      filter: "attributes.name = 'big'",
    });
    const stored = (await inner.getTrace(traces[0]!.traceId))!.spans.length;
    expect(stored).toBeLessThan(501);
    expect(JSON.parse(traces[0]!.traceMetadata['mlflow.trace.sizeStats']!).num_spans).toBe(stored);
  });

  it('internal errors in tracing never reach user code', async () => {
    const { tracker, logger } = setup();
    const hostile = {
      get boom() {
        throw new Error('getter explodes');
      },
    };
    const out = tracker.withSpan({ name: 'hostile' }, (span) => {
      span.setInputs(hostile);
      span.setAttribute('x', hostile);
      span.addEvent('e', hostile as unknown as Record<string, unknown>);
      return 'still fine';
    });
    expect(out).toBe('still fine');
    await tracker.flushTraces();
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(0);
  });

  it('hands each finished trace to a pipelined store at once, without waiting for earlier writes', async () => {
    const inner = memoryStore();
    const calls: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => {
      releaseFirst = r;
    });
    // Writes are recorded when called; the first one answers only when released.
    const store = Object.assign(Object.create(inner) as TrackingStore, {
      capabilities: { ...inner.capabilities, pipelinedTraceWrites: true },
      async logSpans(exp: string, spans: readonly Span[]) {
        calls.push(`spans:${spans[0]!.name}`);
        if (calls.length === 1) await firstHeld;
        return inner.logSpans(exp, spans);
      },
      async startTrace(info: Parameters<TrackingStore['startTrace']>[0]) {
        calls.push(`info:${info.tags['mlflow.traceName']}`);
        return inner.startTrace(info);
      },
    });
    const logger = memoryLogger();
    // A timer far away: only the hand-over at the end of each trace can explain the writes.
    const tracker = createTracker({
      store,
      logger,
      handleExitSignals: false,
      pipeline: { scheduleDelayMs: 60_000 },
    });
    await tracker.experimentId();
    tracker.withSpan({ name: 'one' }, () => 1);
    await new Promise((r) => setImmediate(r));
    tracker.withSpan({ name: 'two' }, () => 2);
    await new Promise((r) => setImmediate(r));
    // The second trace went out while the first write was still unanswered; each info follows
    // its own spans' write.
    expect(calls).toEqual(['spans:one', 'spans:two', 'info:two']);
    let flushed = false;
    const flushing = tracker.flushTraces().then(() => {
      flushed = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(flushed).toBe(false); // flush waits for the held write
    releaseFirst();
    await flushing;
    expect(calls).toEqual(['spans:one', 'spans:two', 'info:two', 'info:one']);
    expect(tracker.stats()).toMatchObject({
      exportedSpans: 2,
      exportedTraces: 2,
      failedBatches: 0,
    });
    expect((await inner.searchTraces({ experimentIds: ['0'] })).items).toHaveLength(2);
    expect(logger.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('reports a failed pipelined write and goes on', async () => {
    const state = { down: true };
    const inner = memoryStore();
    const flaky = flakyStore(inner, state);
    const store = Object.assign(Object.create(flaky) as TrackingStore, {
      capabilities: { ...inner.capabilities, pipelinedTraceWrites: true },
    });
    const logger = memoryLogger();
    const tracker = createTracker({ store, logger, handleExitSignals: false });
    expect(tracker.withSpan({ name: 'lost' }, () => 'ok')).toBe('ok');
    await tracker.flushTraces();
    state.down = false;
    tracker.withSpan({ name: 'kept' }, () => 1);
    await tracker.flushTraces();
    expect(tracker.stats()).toMatchObject({ droppedSpans: 1, droppedTraces: 1, exportedTraces: 1 });
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    const names = (await inner.searchTraces({ experimentIds: ['0'] })).items.map(
      (t) => t.tags['mlflow.traceName'],
    );
    expect(names).toEqual(['kept']);
  });

  it('never stores a trace info counting spans whose write failed (pipelined or not)', async () => {
    for (const pipelined of [true, false]) {
      const inner = memoryStore();
      let failSpans = true;
      const store = Object.assign(Object.create(inner) as TrackingStore, {
        capabilities: { ...inner.capabilities, pipelinedTraceWrites: pipelined },
        async logSpans(exp: string, spans: readonly Span[]) {
          if (failSpans) throw new Error('disk full');
          return inner.logSpans(exp, spans);
        },
      });
      const tracker = createTracker({ store, logger: memoryLogger(), handleExitSignals: false });
      tracker.withSpan({ name: 'lost' }, () => tracker.withSpan({ name: 'child' }, () => 1));
      await tracker.flushTraces();
      failSpans = false;
      tracker.withSpan({ name: 'kept' }, () => 1);
      await tracker.flushTraces();
      const { items: traces } = await inner.searchTraces({ experimentIds: ['0'] });
      expect(
        traces.map((t) => t.tags['mlflow.traceName']),
        `pipelined: ${pipelined}`,
      ).toEqual(['kept']);
      expect(tracker.stats()).toMatchObject({
        droppedSpans: 2,
        droppedTraces: 1,
        exportedTraces: 1,
      });
    }
  });

  it('counts spans written before a failed trace info as exported, not dropped', async () => {
    const inner = memoryStore();
    const store = Object.assign(Object.create(inner) as TrackingStore, {
      async startTrace(): Promise<never> {
        throw new Error('refused');
      },
    });
    const tracker = createTracker({ store, logger: memoryLogger(), handleExitSignals: false });
    tracker.withSpan({ name: 'root' }, () => tracker.withSpan({ name: 'child' }, () => 1));
    await tracker.flushTraces();
    expect(tracker.stats()).toMatchObject({
      exportedSpans: 2,
      droppedSpans: 0,
      droppedTraces: 1,
      failedBatches: 1,
    });
  });

  it('bounds memory with a pipelined store that stops answering: unanswered writes count', async () => {
    const inner = memoryStore();
    let answer!: () => void;
    const stuck = new Promise<void>((r) => {
      answer = r;
    });
    const store = Object.assign(Object.create(inner) as TrackingStore, {
      capabilities: { ...inner.capabilities, pipelinedTraceWrites: true },
      async logSpans(exp: string, spans: readonly Span[]) {
        await stuck;
        return inner.logSpans(exp, spans);
      },
    });
    const logger = memoryLogger();
    const tracker = createTracker({
      store,
      logger,
      handleExitSignals: false,
      pipeline: { maxQueueSize: 100 },
    });
    await tracker.experimentId();
    for (let i = 0; i < 50; i++) {
      tracker.withSpan({ name: `t${i}` }, () => {
        tracker.withSpan({ name: 'child' }, () => i);
      });
      await new Promise((r) => setImmediate(r));
    }
    // 100 items at most held (spans and trace infos, queued or unanswered): 33 traces of
    // 2 spans and an info fill it, then spans are dropped (infos always pass).
    expect(tracker.stats().droppedSpans).toBe(33);
    expect(logger.lines.filter((l) => l.message.includes('span queue full'))).toHaveLength(1);
    answer();
    await tracker.flushTraces();
    const { items: traces } = await inner.searchTraces({ experimentIds: ['0'], maxResults: 100 });
    const stored = (await Promise.all(traces.map((t) => inner.getTrace(t.traceId)))).reduce(
      (n, t) => n + t!.spans.length,
      0,
    );
    expect(stored).toBe(67);
  });

  it('a flush ends within its budget over a store that stops answering, and the next write starts afresh', async () => {
    const inner = memoryStore();
    const state = { hung: true };
    // Like a server that hangs: a write waits until told to stop by its signal.
    const store = Object.assign(Object.create(inner) as TrackingStore, {
      logSpans: (e: string, spans: readonly Span[], write?: WriteOptions) =>
        state.hung
          ? new Promise<void>((_, reject) =>
              write?.signal?.addEventListener('abort', () => reject(write.signal!.reason)),
            )
          : inner.logSpans(e, spans),
    });
    const logger = memoryLogger();
    const tracker = createTracker({ store, logger, handleExitSignals: false, flushTimeoutMs: 100 });
    await tracker.experimentId();
    tracker.withSpan({ name: 'stuck' }, () => 1);
    const t0 = performance.now();
    await tracker.flushTraces();
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(tracker.stats()).toMatchObject({ droppedSpans: 1, droppedTraces: 1 });
    expect(logger.lines.some((l) => /within the flush budget of 100 ms/.test(l.message))).toBe(
      true,
    );
    state.hung = false;
    tracker.withSpan({ name: 'later' }, () => 1);
    await tracker.flushTraces();
    const { items: traces } = await inner.searchTraces({ experimentIds: ['0'] });
    expect(traces.map((t) => t.tags['mlflow.traceName'])).toEqual(['later']);
  });

  it('a batch whose write hangs is stopped after writeTimeoutMs, without any flush', async () => {
    const inner = memoryStore();
    let aborted: unknown = null;
    const store = Object.assign(Object.create(inner) as TrackingStore, {
      logSpans: (_e: string, _s: readonly Span[], write?: WriteOptions) =>
        new Promise<void>((_, reject) =>
          write?.signal?.addEventListener('abort', () => {
            aborted = write.signal!.reason;
            reject(aborted);
          }),
        ),
    });
    const tracker = createTracker({
      store,
      logger: memoryLogger(),
      handleExitSignals: false,
      pipeline: { writeTimeoutMs: 50, scheduleDelayMs: 1 },
    });
    await tracker.experimentId();
    tracker.withSpan({ name: 'stuck' }, () => 1);
    for (let i = 0; i < 200 && aborted === null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(String(aborted)).toMatch(/write timeout of 50 ms/);
  });
});
