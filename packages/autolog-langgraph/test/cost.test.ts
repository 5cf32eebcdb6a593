import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, setup } from './helpers.js';

describe('model, provider, cached tokens and cost of each model call', () => {
  it('records them as MLflow does, and the trace cost sums the calls', async () => {
    const { handler, only } = setup();
    const model = new ScriptedChatModel({
      modelName: 'gpt-4o-mini',
      script: [
        {
          toolCalls: [{ name: 'add', args: { a: 41, b: 1 } }],
          usage: {
            input_tokens: 1000,
            output_tokens: 500,
            total_tokens: 1500,
            input_token_details: { cache_read: 400 },
          },
        },
        { content: '42', usage: { input_tokens: 1000, output_tokens: 500, total_tokens: 1500 } },
      ],
    });
    await createReactAgent({ llm: model, tools: [addTool] }).invoke(
      { messages: [new HumanMessage('41 + 1?')] },
      { callbacks: [handler] },
    );
    const { spans, info } = await only();
    const calls = spans.filter((s) => s.spanType === 'CHAT_MODEL');
    expect(calls.map((s) => s.attributes['mlflow.llm.provider'])).toEqual(['scripted', 'scripted']);
    expect(calls[0]!.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 1000,
      output_tokens: 500,
      total_tokens: 1500,
      cache_read_input_tokens: 400,
    });
    // The provider "scripted" is not in the catalog; the model is found by name (openai's).
    expect(calls.map((s) => s.attributes['mlflow.llm.cost'])).toEqual([
      {
        input_cost: 0.00011999999999999999,
        output_cost: 0.0003,
        total_cost: 0.00041999999999999996,
      },
      { input_cost: 0.00015, output_cost: 0.0003, total_cost: 0.00045 },
    ]);
    const cost = JSON.parse(info.traceMetadata['mlflow.trace.cost']!);
    expect(cost.total_cost).toBeCloseTo(0.00087, 15);
    expect(JSON.parse(info.traceMetadata['mlflow.trace.tokenUsage']!)).toMatchObject({
      input_tokens: 2000,
      cache_read_input_tokens: 400,
    });
  });
});
