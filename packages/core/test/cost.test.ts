import { describe, expect, it } from 'vitest';
import { GraphtraceError, type LiveSpan, SpanType } from '../src/index.js';
import { setup } from './helpers.js';

const MINI = { 'mlflow.llm.model': 'gpt-4o-mini', 'mlflow.llm.provider': 'openai' };
const usage = (input: number, output: number, extra: Record<string, number> = {}) => ({
  'mlflow.chat.tokenUsage': {
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    ...extra,
  },
});

function model(span: LiveSpan, attributes: Record<string, unknown>) {
  span.setAttributes(attributes);
}

describe('cost of model calls, as MLflow 3.10+ records it', () => {
  it('prices a model span and sums the trace, cached tokens at their own rate', async () => {
    const { tracker, traces, spansOf } = setup();
    await tracker.withSpan({ name: 'agent', spanType: SpanType.AGENT }, async () => {
      await tracker.withSpan({ name: 'first', spanType: SpanType.CHAT_MODEL }, (s) =>
        model(s, { ...MINI, ...usage(1000, 500, { cache_read_input_tokens: 400 }) }),
      );
      await tracker.withSpan({ name: 'second', spanType: SpanType.CHAT_MODEL }, (s) =>
        model(s, { ...MINI, ...usage(1000, 500) }),
      );
    });
    const [t] = await traces();
    const spans = await spansOf(t!.traceId);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s.attributes['mlflow.llm.cost']]));
    expect(byName.first).toEqual({
      input_cost: 0.00011999999999999999,
      output_cost: 0.0003,
      total_cost: 0.00041999999999999996,
    });
    expect(byName.second).toEqual({
      input_cost: 0.00015,
      output_cost: 0.0003,
      total_cost: 0.00045,
    });
    expect(byName.agent).toBeUndefined();
    expect(JSON.parse(t!.traceMetadata['mlflow.trace.cost']!)).toEqual({
      input_cost: 0.00011999999999999999 + 0.00015,
      output_cost: 0.0003 + 0.0003,
      total_cost: 0.00041999999999999996 + 0.00045,
    });
    expect(JSON.parse(t!.traceMetadata['mlflow.trace.tokenUsage']!)).toEqual({
      input_tokens: 2000,
      output_tokens: 1000,
      total_tokens: 3000,
      cache_read_input_tokens: 400,
    });
  });

  it('counts a span whose ancestor has a cost once, and keeps a cost the caller set', async () => {
    const { tracker, traces } = setup();
    await tracker.withSpan({ name: 'wrapper', spanType: SpanType.LLM }, async (w) => {
      await tracker.withSpan({ name: 'raw', spanType: SpanType.CHAT_MODEL }, (s) =>
        model(s, { ...MINI, ...usage(1000, 500) }),
      );
      w.setAttribute('mlflow.llm.cost', { input_cost: 1, output_cost: 2, total_cost: 3 });
    });
    const [t] = await traces();
    expect(JSON.parse(t!.traceMetadata['mlflow.trace.cost']!)).toEqual({
      input_cost: 1,
      output_cost: 2,
      total_cost: 3,
    });
  });

  it('gives no cost, never a guess, to a model without a price, and none with pricing off', async () => {
    const off = setup({ pricing: false });
    const unknown = setup();
    for (const { tracker } of [off, unknown]) {
      await tracker.withSpan({ name: 'call', spanType: SpanType.CHAT_MODEL }, (s) =>
        model(s, {
          'mlflow.llm.model': tracker === off.tracker ? 'gpt-4o-mini' : 'no-such-model-xyz',
          ...usage(10, 5),
        }),
      );
    }
    for (const { traces, spansOf } of [off, unknown]) {
      const [t] = await traces();
      expect(t!.traceMetadata['mlflow.trace.cost']).toBeUndefined();
      expect((await spansOf(t!.traceId))[0]!.attributes['mlflow.llm.cost']).toBeUndefined();
    }
  });

  it('prices by the rates the user gives, over the catalog', async () => {
    const { tracker, traces } = setup({
      pricing: {
        models: { 'acme-7b': { input_per_million_tokens: 0.5, output_per_million_tokens: 1.5 } },
      },
    });
    await tracker.withSpan({ name: 'call', spanType: SpanType.CHAT_MODEL }, (s) =>
      model(s, { 'mlflow.llm.model': 'acme-7b', ...usage(2_000_000, 1_000_000) }),
    );
    const [t] = await traces();
    expect(JSON.parse(t!.traceMetadata['mlflow.trace.cost']!)).toEqual({
      input_cost: 1,
      output_cost: 1.5,
      total_cost: 2.5,
    });
  });

  it('refuses a bad rate when the tracker is made, naming the model and the field', () => {
    expect(() =>
      setup({
        pricing: {
          models: { 'acme-7b': { input_per_million_tokens: -1, output_per_million_tokens: 1 } },
        },
      }),
    ).toThrow(
      expect.objectContaining({
        constructor: GraphtraceError,
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(
          /pricing\.models\["acme-7b"\] input_per_million_tokens must be a number ≥ 0/,
        ),
      }),
    );
  });
});
