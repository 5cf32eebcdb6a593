import { type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { afterEach, describe, expect, it } from 'vitest';
import { autolog } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, inputsOf, outputsOf, setup, sleep, tree } from './helpers.js';

const questionOf = (messages: BaseMessage[]) => String(messages[0]?.content ?? '');

describe('concurrency', () => {
  afterEach(() => {
    autolog({ disable: true });
  });

  it('50 concurrent invocations of one graph make 50 traces, none mixed up', async () => {
    const { tracker, traces } = setup();
    autolog(tracker);
    const model = new ScriptedChatModel({
      // Staggered starts and a model latency interleave the invocations' callbacks.
      latencyMs: 1,
      script: (messages, turn) => {
        const n = Number(questionOf(messages).slice(1));
        return turn === 0
          ? { toolCalls: [{ name: 'add', args: { a: n, b: 1000 } }] }
          : { content: `answer ${n}` };
      },
    });
    const agent = createReactAgent({ llm: model, tools: [addTool] });
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await sleep(i % 7);
        return agent.invoke({ messages: [new HumanMessage(`q${i}`)] });
      }),
    );
    expect(results.map((r) => r.messages.at(-1)?.content)).toEqual(
      Array.from({ length: 50 }, (_, i) => `answer ${i}`),
    );

    const all = await traces();
    expect(all).toHaveLength(50);
    const seen = new Set<number>();
    for (const t of all) {
      const root = t.spans.find((s) => s.parentSpanId === null)!;
      const n = Number(
        (inputsOf(root) as { messages: { content: string }[] }).messages[0]!.content.slice(1),
      );
      seen.add(n);
      expect(tree(t.spans)[0]).toBe('LangGraph [AGENT] OK');
      expect(t.spans).toHaveLength(13);
      for (const s of t.spans) {
        expect(s.traceId).toBe(t.info.traceId);
        if (s.spanType === 'CHAT_MODEL') {
          const msgs = (inputsOf(s) as { messages: { content: string }[] }).messages;
          expect(msgs[0]!.content).toBe(`q${n}`);
        }
        if (s.spanType === 'TOOL') {
          expect(inputsOf(s)).toEqual({ a: n, b: 1000 });
          expect(outputsOf(s)).toMatchObject({ content: String(n + 1000) });
        }
      }
      expect(t.info.responsePreview).toBe(`answer ${n}`);
    }
    expect(seen.size).toBe(50);
  });
});
