import { describe, expect, it } from 'vitest';
import { type GraphtraceError, SpanType } from '../src/index.js';
import { setup, sleep } from './helpers.js';

describe('Tracker: runs, params, metrics, tags', () => {
  it('starts and ends a run with params, metrics by step and tags', async () => {
    const { tracker, store } = setup();
    const run = await tracker.startRun({
      runName: 'baseline',
      params: { lr: 0.01, layers: 2 },
      tags: { team: 'a' },
    });
    expect(tracker.activeRun()?.runId).toBe(run.runId);
    await tracker.logMetrics({ loss: 0.9 }, { step: 0 });
    await tracker.logMetrics({ loss: 0.5 }, { step: 1 });
    await tracker.logMetric('acc', 0.8);
    await tracker.setTags({ stage: 'eval' });
    const info = await tracker.endRun();
    expect(info.status).toBe('FINISHED');
    expect(info.endTime).not.toBeNull();
    expect(tracker.activeRun()).toBeNull();
    const got = (await store.getRun(run.runId))!;
    expect(got.info.runName).toBe('baseline');
    expect(got.data.params).toEqual({ lr: '0.01', layers: '2' });
    expect(got.data.tags).toMatchObject({
      team: 'a',
      stage: 'eval',
      'mlflow.runName': 'baseline',
      'mlflow.source.type': 'LOCAL',
    });
    expect((await store.getMetricHistory(run.runId, 'loss')).map((m) => [m.step, m.value])).toEqual(
      [
        [0, 0.9],
        [1, 0.5],
      ],
    );
  });

  it('withRun scopes the run to its async context and marks failures', async () => {
    const { tracker, store } = setup();
    const ids = await Promise.all(
      [0, 1, 2].map((i) =>
        tracker.withRun(async (run) => {
          await sleep(3 - i);
          expect(tracker.activeRun()?.runId).toBe(run.runId);
          await tracker.logMetric('i', i);
          return run.runId;
        }),
      ),
    );
    for (const [i, id] of ids.entries()) {
      const run = (await store.getRun(id))!;
      expect(run.info.status).toBe('FINISHED');
      expect(run.data.metrics.find((m) => m.key === 'i')?.value).toBe(i);
    }
    let failedId = '';
    await expect(
      tracker.withRun(async (run) => {
        failedId = run.runId;
        throw new Error('training diverged');
      }),
    ).rejects.toThrow('training diverged');
    expect((await store.getRun(failedId))!.info.status).toBe('FAILED');
  });

  it('rolls the traces of a run up into agent metrics, logged when it ends', async () => {
    const { tracker, store } = setup();
    const run = await tracker.startRun();
    for (let i = 0; i < 4; i++) {
      await tracker.withSpan({ name: 'agent', spanType: SpanType.AGENT }, async () => {
        await tracker.withSpan({ name: 'llm', spanType: SpanType.CHAT_MODEL }, (s) => {
          // Three calls of a priced model, one of a model without a price.
          s.setAttribute('mlflow.llm.model', i === 0 ? 'in-house-model' : 'gpt-4o-mini');
          s.setAttribute('mlflow.chat.tokenUsage', {
            input_tokens: 10,
            output_tokens: 2,
            total_tokens: 12,
          });
        });
        await tracker
          .withSpan({ name: 'tool', spanType: SpanType.TOOL }, async () => {
            if (i === 3) throw new Error('tool down');
          })
          .catch(() => undefined);
      });
    }
    await tracker.flushTraces();
    const m = await tracker.getRunAgentMetrics();
    expect(m).toMatchObject({
      traces: 4,
      errorTraces: 0,
      llmCalls: 4,
      toolCalls: 4,
      toolErrors: 1,
      spans: 12,
      tokens: { input: 40, output: 8, total: 48 },
      pricedTraces: 3,
    });
    // gpt-4o-mini: $0.15 / $0.60 per million input / output tokens.
    expect(m.cost.input).toBeCloseTo(3 * 10 * 0.15e-6, 15);
    expect(m.cost.total).toBeCloseTo(3 * (10 * 0.15e-6 + 2 * 0.6e-6), 15);
    await tracker.endRun();
    const got = (await store.getRun(run.runId))!;
    const metric = (k: string) => got.data.metrics.find((x) => x.key === k)?.value;
    expect(metric('agent.traces')).toBe(4);
    expect(metric('agent.tool_errors')).toBe(1);
    expect(metric('agent.total_tokens')).toBe(48);
    expect(metric('agent.priced_traces')).toBe(3);
    expect(metric('agent.total_cost_usd')).toBeCloseTo(m.cost.total, 15);
  });

  it('logs no cost metrics for a run whose models have no price', async () => {
    const { tracker, store } = setup();
    const run = await tracker.startRun();
    await tracker.withSpan({ name: 'llm', spanType: SpanType.CHAT_MODEL }, (s) => {
      s.setAttribute('mlflow.llm.model', 'in-house-model');
      s.setAttribute('mlflow.chat.tokenUsage', { input_tokens: 10, output_tokens: 2 });
    });
    await tracker.endRun();
    const keys = (await store.getRun(run.runId))!.data.metrics.map((x) => x.key);
    expect(keys).toContain('agent.total_tokens');
    expect(keys.filter((k) => k.includes('cost'))).toEqual([]);
  });

  it('logs feedback and expectations on traces and spans', async () => {
    const { tracker, store, traces } = setup();
    let spanId = '';
    tracker.withSpan({ name: 'root' }, () =>
      tracker.withSpan({ name: 'child' }, (s) => {
        spanId = s.spanId;
      }),
    );
    const [t] = await traces();
    const fb = await tracker.logFeedback({
      traceId: t!.traceId,
      name: 'helpful',
      value: true,
      rationale: 'clear',
    });
    expect(fb.source.sourceType).toBe('HUMAN');
    await tracker.logFeedback({
      traceId: t!.traceId,
      spanId,
      name: 'score',
      value: 0.7,
      source: { sourceType: 'LLM_JUDGE', sourceId: 'judge' },
    });
    await tracker.logExpectation({ traceId: t!.traceId, name: 'expected', value: 'forty-two' });
    const all = await store.getAssessments(t!.traceId);
    expect(all.map((a) => `${a.kind}:${a.name}`).sort()).toEqual([
      'expectation:expected',
      'feedback:helpful',
      'feedback:score',
    ]);
  });

  it('says what to do when a run call has no run', async () => {
    const { tracker } = setup();
    const err = (await tracker.endRun().catch((e: unknown) => e)) as GraphtraceError;
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/startRun\(\) or withRun\(\)/);
  });

  it('logParams starts a run when none is active, as MLflow does', async () => {
    const { tracker } = setup();
    await tracker.logParams({ a: 1 });
    expect(tracker.activeRun()).not.toBeNull();
  });
});
