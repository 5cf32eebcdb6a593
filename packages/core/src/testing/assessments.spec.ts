import { describe, expect, it } from 'vitest';
import type { GraphtraceError } from '../errors.js';
import { makeTraceInfo, makeTraceTree, newTraceId, uniqueName } from './fixtures.js';
import { type ConformanceTarget, useStore } from './target.js';

export function assessmentsSpec(target: ConformanceTarget): void {
  describe.skipIf(!target.capabilities.assessments)(
    `${target.name} store: assessments (capability assessments)`,
    () => {
      const store = useStore(target);
      const timeout = target.timeoutMs;

      const seedTrace = async () => {
        const exp = (await store().getOrCreateExperiment(uniqueName('conformance-assess')))
          .experimentId;
        const traceId = newTraceId();
        const spans = makeTraceTree(traceId);
        await store().logSpans(exp, spans);
        await store().startTrace(makeTraceInfo(exp, traceId));
        return { traceId, spans };
      };

      it(
        'logs feedback and expectations on a trace and on a span, and lists them',
        async () => {
          const { traceId, spans } = await seedTrace();
          const thumbs = await store().createAssessment({
            kind: 'feedback',
            traceId,
            name: 'helpful',
            value: true,
            rationale: 'answered the question',
            source: { sourceType: 'HUMAN', sourceId: 'ada' },
          });
          expect(thumbs.assessmentId).toMatch(/^a-[0-9a-f]{32}$/);
          await store().createAssessment({
            kind: 'feedback',
            traceId,
            spanId: spans[2]!.spanId,
            name: 'tool_quality',
            value: 0.25,
            source: { sourceType: 'LLM_JUDGE', sourceId: 'judge-v1' },
          });
          await store().createAssessment({
            kind: 'expectation',
            traceId,
            name: 'expected_answer',
            value: { answer: '42', sources: ['doc-1'] },
            source: { sourceType: 'HUMAN', sourceId: 'ada' },
          });

          const all = await store().getAssessments(traceId);
          expect(all).toHaveLength(3);
          const byName = Object.fromEntries(all.map((a) => [a.name, a]));
          expect(byName.helpful).toMatchObject({
            kind: 'feedback',
            value: true,
            rationale: 'answered the question',
            source: { sourceType: 'HUMAN', sourceId: 'ada' },
            spanId: null,
            traceId,
          });
          expect(byName.tool_quality).toMatchObject({
            kind: 'feedback',
            value: 0.25,
            spanId: spans[2]!.spanId,
          });
          expect(byName.expected_answer).toMatchObject({
            kind: 'expectation',
            value: { answer: '42', sources: ['doc-1'] },
          });
          expect(byName.helpful!.createTime).toBeGreaterThan(0);
        },
        timeout,
      );

      it(
        'keeps string values as strings',
        async () => {
          const { traceId } = await seedTrace();
          await store().createAssessment({
            kind: 'feedback',
            traceId,
            name: 'label',
            value: 'good',
            source: { sourceType: 'CODE', sourceId: 'rules' },
          });
          expect((await store().getAssessments(traceId))[0]?.value).toBe('good');
        },
        timeout,
      );

      it(
        'refuses an assessment of an unknown trace with NOT_FOUND',
        async () => {
          const err = (await store()
            .createAssessment({
              kind: 'feedback',
              traceId: newTraceId(),
              name: 'x',
              value: 1,
              source: { sourceType: 'HUMAN', sourceId: 'a' },
            })
            .catch((e: unknown) => e)) as GraphtraceError;
          expect(err.code).toBe('NOT_FOUND');
        },
        timeout,
      );
    },
  );
}
