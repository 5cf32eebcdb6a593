import { describe, expect, it } from 'vitest';
import type { TraceWriter } from '../store/trace-writer.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { makeSpan, makeTraceInfo, makeTraceTree, newTraceId, uniqueName } from './fixtures.js';
import { type ConformanceTarget, useStore } from './target.js';

/** A conformance target whose write port may be a wrapper over the store (a spool, a fallback). */
export interface TraceWriterTarget extends ConformanceTarget {
  /**
   * The write port under test, over the store `create()` made (which the spec reads back
   * from). Default: the store itself.
   */
  writer?(store: TrackingStore): TraceWriter;
}

/**
 * The write port on its own: what the span pipeline relies on, written only through a
 * `TraceWriter` (never the wider store) and read back through the store.
 */
export function traceWriterSpec(target: TraceWriterTarget): void {
  describe(`${target.name} store: the write port (TraceWriter)`, () => {
    const store = useStore(target);
    let wrapped: { store: TrackingStore; writer: TraceWriter } | undefined;
    const writer = (): TraceWriter => {
      const s = store();
      if (wrapped?.store !== s) wrapped = { store: s, writer: target.writer?.(s) ?? s };
      return wrapped.writer;
    };
    const timeout = target.timeoutMs;
    const experiment = async () =>
      (await store().getOrCreateExperiment(uniqueName('conformance-writer'))).experimentId;

    it('names where it writes and says how it takes writes, as the store declares', () => {
      const w = writer();
      expect(typeof w.uri).toBe('string');
      expect(w.uri.length).toBeGreaterThan(0);
      expect(w.capabilities.pipelinedTraceWrites ?? false).toBe(
        target.capabilities.pipelinedTraceWrites ?? false,
      );
    });

    it(
      'takes spans then the info of a trace, and the store reads the whole trace back',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        const w: TraceWriter = writer();
        await w.logSpans(exp, makeTraceTree(traceId));
        const info = makeTraceInfo(exp, traceId, { executionDuration: 40 });
        const written = await w.startTrace(info);
        expect(written.traceId).toBe(traceId);

        const trace = await store().getTrace(traceId);
        expect(trace?.info).toMatchObject({
          experimentId: exp,
          state: 'OK',
          executionDuration: 40,
        });
        expect(trace?.spans.map((s) => s.name).sort()).toEqual(
          ['agent', 'calculator', 'model', 'parse'].sort(),
        );
      },
      timeout,
    );

    it(
      "answers `reachable` with ok once it has taken writes, and never drops its store's",
      async () => {
        const w = writer();
        // Local stores leave it out (nothing to be unreachable); a writer over a store that
        // has one must have it too.
        if (!w.reachable) {
          expect(store().reachable).toBeUndefined();
          return;
        }
        const exp = await experiment();
        const traceId = newTraceId();
        await w.logSpans(exp, makeTraceTree(traceId));
        await w.startTrace(makeTraceInfo(exp, traceId));
        const r = await w.reachable(5_000);
        expect(r, r.reason).toMatchObject({ ok: true, reason: 'ok' });
        expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
      },
      timeout,
    );

    it(
      'takes spans of several traces in one call, each trace complete on its own',
      async () => {
        const exp = await experiment();
        const ids = [newTraceId(), newTraceId(), newTraceId()];
        const w: TraceWriter = writer();
        await w.logSpans(
          exp,
          ids.flatMap((id) => makeTraceTree(id)),
        );
        for (const id of ids) await w.startTrace(makeTraceInfo(exp, id));
        for (const id of ids) {
          const trace = await store().getTrace(id);
          expect(trace?.info.state).toBe('OK');
          expect(trace?.spans).toHaveLength(4);
          expect(new Set(trace?.spans.map((s) => s.traceId))).toEqual(new Set([id]));
        }
      },
      timeout,
    );

    it(
      'takes an empty batch, and a span written again stays one span',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        const w: TraceWriter = writer();
        await w.logSpans(exp, []);
        const root = makeSpan(traceId, { name: 'only' });
        await w.logSpans(exp, [root]);
        await w.logSpans(exp, [root]);
        await w.startTrace(makeTraceInfo(exp, traceId));
        expect((await store().getTrace(traceId))?.spans.map((s) => s.spanId)).toEqual([
          root.spanId,
        ]);
      },
      timeout,
    );
  });
}
