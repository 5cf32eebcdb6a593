import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import { STEPS_METADATA_KEY } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, setup, tree } from './helpers.js';

// Words that cannot turn up by chance in hex ids or timestamps.
const SECRET = 'my pet quokka is called Zebulon';

describe('logPrompts: false', () => {
  it('keeps names, types, timings, statuses and token counts, but no inputs, outputs or messages', async () => {
    const { handler, only } = setup({ logPrompts: false });
    const model = new ScriptedChatModel({
      script: [
        { toolCalls: [{ name: 'add', args: { a: 41, b: 1 } }] },
        { content: `${SECRET}, and 42` },
      ],
    });
    await createReactAgent({ llm: model, tools: [addTool] })
      .stream(
        { messages: [new HumanMessage(SECRET)] },
        { callbacks: [handler], streamMode: 'messages' },
      )
      .then(async (s) => {
        for await (const _ of s);
      });
    const { spans, info } = await only();
    expect(tree(spans)).toHaveLength(13);
    expect(tree(spans)[0]).toBe('LangGraph [AGENT] OK');
    const everything = JSON.stringify({ spans, info }, (_k, v) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    expect(everything).not.toContain('quokka');
    expect(everything).not.toContain('Zebulon');
    expect(everything).not.toContain('"a":41');
    for (const s of spans) {
      expect(s.attributes['mlflow.spanInputs']).toBeUndefined();
      expect(s.attributes['mlflow.spanOutputs']).toBeUndefined();
      expect(s.endTimeUnixNano).not.toBeNull();
      for (const e of s.events) expect(e.attributes).toEqual({});
    }
    // Streamed tokens still show up as events, without their text.
    expect(spans.some((s) => s.events.some((e) => e.name === 'new_token'))).toBe(true);
    expect(info.requestPreview).toBeNull();
    expect(info.responsePreview).toBeNull();
    expect(JSON.parse(info.traceMetadata['mlflow.trace.tokenUsage']!)).toEqual({
      input_tokens: 40,
      output_tokens: 15,
      total_tokens: 55,
    });
    expect(info.traceMetadata[STEPS_METADATA_KEY]).toBe('3');
    expect(info.traceMetadata['graphtrace.agent.toolCalls']).toBe('1');
    const chat = spans.find((s) => s.spanType === 'CHAT_MODEL')!;
    expect(chat.attributes['mlflow.chat.tokenUsage']).toBeDefined();
    expect(chat.attributes['mlflow.llm.model']).toBe('scripted-model');
  });
});
