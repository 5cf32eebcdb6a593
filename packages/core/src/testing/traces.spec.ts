import { describe, expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import {
  byStart,
  makeSpan,
  makeTraceInfo,
  makeTraceTree,
  newTraceId,
  uniqueName,
} from './fixtures.js';
import { type ConformanceTarget, useStore } from './target.js';

/** The fields every store must keep exactly. */
function comparable(s: Span) {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    spanType: s.spanType,
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    statusCode: s.status.code,
    attributes: s.attributes,
    events: s.events,
  };
}

export function tracesSpec(target: ConformanceTarget): void {
  describe(`${target.name} store: traces`, () => {
    const store = useStore(target);
    const timeout = target.timeoutMs;
    const experiment = async () =>
      (await store().getOrCreateExperiment(uniqueName('conformance-traces'))).experimentId;

    it(
      'writes a trace info and its spans and reads them back exactly',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        const spans = makeTraceTree(traceId);
        await store().logSpans(exp, spans);
        const info = makeTraceInfo(exp, traceId, {
          executionDuration: 40,
          clientRequestId: 'req-1',
          tags: { 'mlflow.traceName': 'agent', env: 'test' },
          traceMetadata: {
            'mlflow.trace_schema.version': '3',
            'mlflow.trace.tokenUsage': '{"input_tokens":12,"output_tokens":3,"total_tokens":15}',
            'mlflow.trace.session': 'thread-1',
          },
        });
        await store().startTrace(info);

        const trace = await store().getTrace(traceId);
        expect(trace).not.toBeNull();
        expect(trace!.info.traceId).toBe(traceId);
        expect(trace!.info.experimentId).toBe(exp);
        expect(trace!.info.state).toBe('OK');
        expect(trace!.info.requestTime).toBe(info.requestTime);
        expect(trace!.info.executionDuration).toBe(40);
        expect(trace!.info.clientRequestId).toBe('req-1');
        expect(trace!.info.requestPreview).toBe(info.requestPreview);
        expect(trace!.info.responsePreview).toBe(info.responsePreview);
        expect(trace!.info.tags).toMatchObject(info.tags);
        // JSON-valued metadata compares as JSON: MLflow 3.17 rebuilds token usage from columns
        // and writes it with Python's spacing.
        const { 'mlflow.trace.tokenUsage': usage, ...plain } = trace!.info.traceMetadata;
        const { 'mlflow.trace.tokenUsage': sentUsage, ...sentPlain } = info.traceMetadata;
        expect(plain).toMatchObject(sentPlain);
        expect(JSON.parse(usage ?? 'null')).toEqual(JSON.parse(sentUsage!));
        expect(
          trace!.spans.map(comparable).sort((a, b) => a.spanId.localeCompare(b.spanId)),
        ).toEqual(spans.map(comparable).sort((a, b) => a.spanId.localeCompare(b.spanId)));
        expect(trace!.spans.find((s) => s.name === 'calculator')?.status.message).toContain(
          'division by zero',
        );
        expect((await store().getTraceInfo(traceId))?.state).toBe('OK');
      },
      timeout,
    );

    it(
      'accepts spans before the trace info (IN_PROGRESS until the info arrives)',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        const [root, ...children] = makeTraceTree(traceId);
        await store().logSpans(exp, children);
        const partial = await store().getTraceInfo(traceId);
        expect(partial?.state).toBe('IN_PROGRESS');
        await store().logSpans(exp, [root!]);
        await store().startTrace(
          makeTraceInfo(exp, traceId, { tags: { 'mlflow.traceName': 'agent' } }),
        );
        const trace = await store().getTrace(traceId);
        expect(trace?.info.state).toBe('OK');
        expect(trace?.spans).toHaveLength(4);
      },
      timeout,
    );

    it(
      'accepts the trace info before its spans',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        await store().startTrace(makeTraceInfo(exp, traceId));
        await store().logSpans(exp, makeTraceTree(traceId));
        const trace = await store().getTrace(traceId);
        expect(trace?.info.state).toBe('OK');
        expect(trace?.spans).toHaveLength(4);
      },
      timeout,
    );

    it(
      'keeps one copy of a span written twice',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        const spans = makeTraceTree(traceId);
        await store().logSpans(exp, spans);
        await store().logSpans(exp, spans);
        await store().startTrace(makeTraceInfo(exp, traceId));
        expect((await store().getTrace(traceId))?.spans).toHaveLength(4);
      },
      timeout,
    );

    it('writes large batches of spans', async () => {
      const exp = await experiment();
      const traceId = newTraceId();
      const root = makeSpan(traceId, { name: 'root' });
      const spans = [root];
      for (let i = 0; i < 1500; i++) {
        spans.push(
          makeSpan(traceId, {
            name: `step-${i}`,
            parentSpanId: root.spanId,
            startTimeUnixNano: root.startTimeUnixNano + BigInt(i),
            attributes: { i },
          }),
        );
      }
      await store().logSpans(exp, spans);
      await store().startTrace(makeTraceInfo(exp, traceId));
      const trace = await store().getTrace(traceId);
      expect(trace?.spans).toHaveLength(1501);
      expect(new Set(trace?.spans.map((s) => s.spanId)).size).toBe(1501);
    }, 120_000);

    it(
      'merges tags and metadata when the info is written again',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        await store().startTrace(
          makeTraceInfo(exp, traceId, { tags: { a: '1', 'mlflow.traceName': 'root' } }),
        );
        await store().startTrace(
          makeTraceInfo(exp, traceId, { tags: { b: '2', 'mlflow.traceName': 'root' } }),
        );
        const info = await store().getTraceInfo(traceId);
        expect(info?.tags).toMatchObject({ a: '1', b: '2' });
      },
      timeout,
    );

    it(
      'sets a tag on an existing trace',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        await store().startTrace(makeTraceInfo(exp, traceId));
        await store().setTraceTag(traceId, 'reviewed', 'yes');
        expect((await store().getTraceInfo(traceId))?.tags.reviewed).toBe('yes');
      },
      timeout,
    );

    it(
      'returns null for an unknown trace',
      async () => {
        expect(await store().getTrace(newTraceId())).toBeNull();
        expect(await store().getTraceInfo(newTraceId())).toBeNull();
      },
      timeout,
    );

    it(
      'orders spans by start time when reading a trace',
      async () => {
        const exp = await experiment();
        const traceId = newTraceId();
        const spans = makeTraceTree(traceId);
        await store().logSpans(exp, [...spans].reverse());
        await store().startTrace(makeTraceInfo(exp, traceId));
        const got = (await store().getTrace(traceId))!.spans;
        expect(got.map((s) => s.spanId)).toEqual([...spans].sort(byStart).map((s) => s.spanId));
      },
      timeout,
    );

    // An optional behaviour, not a missing feature: only stores that declare it run this.
    if (target.capabilities.pipelinedTraceWrites)
      describe('writes not awaited in between (capability pipelinedTraceWrites)', () => {
        it(
          'applies logSpans and startTrace in call order',
          async () => {
            const exp = await experiment();
            const first = newTraceId();
            const second = newTraceId();
            const rewritten = makeTraceTree(newTraceId());
            const root = rewritten[0]!;
            // A trace info replaces the state; a root span only settles an unfinished trace:
            // the final states tell which call came last.
            const calls: Promise<unknown>[] = [
              store().startTrace(makeTraceInfo(exp, first, { state: 'IN_PROGRESS' })),
              store().logSpans(exp, makeTraceTree(first)),
              store().logSpans(exp, makeTraceTree(second)),
              store().startTrace(makeTraceInfo(exp, second, { state: 'IN_PROGRESS' })),
            ];
            for (let i = 0; i < 10; i++) {
              const attributes = { ...root.attributes, 'mlflow.spanOutputs': i };
              calls.push(store().logSpans(exp, [{ ...root, attributes }]));
            }
            await Promise.all(calls);
            expect((await store().getTraceInfo(first))?.state).toBe('OK');
            expect((await store().getTraceInfo(second))?.state).toBe('IN_PROGRESS');
            const kept = (await store().getTrace(root.traceId))!.spans;
            expect(
              kept.find((s) => s.spanId === root.spanId)?.attributes['mlflow.spanOutputs'],
            ).toBe(9);
          },
          timeout,
        );
      });

    describe.skipIf(!target.capabilities.deleteTraces)('deleting (capability deleteTraces)', () => {
      it(
        'deletes traces by id, or the oldest up to a timestamp',
        async () => {
          const exp = await experiment();
          const ids = [newTraceId(), newTraceId(), newTraceId()];
          for (const [i, id] of ids.entries()) {
            await store().logSpans(exp, makeTraceTree(id, 1_700_000_000_000 + i * 1000));
            await store().startTrace(
              makeTraceInfo(exp, id, { requestTime: 1_700_000_000_000 + i * 1000 }),
            );
          }
          expect(await store().deleteTraces({ experimentId: exp, traceIds: [ids[1]!] })).toBe(1);
          expect(await store().getTrace(ids[1]!)).toBeNull();
          expect(
            await store().deleteTraces({
              experimentId: exp,
              maxTimestampMillis: 1_700_000_005_000,
              maxTraces: 1,
            }),
          ).toBe(1);
          expect(await store().getTrace(ids[0]!)).toBeNull();
          expect(await store().getTrace(ids[2]!)).not.toBeNull();
        },
        timeout,
      );
    });
  });
}
