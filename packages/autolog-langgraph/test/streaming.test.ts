import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, byName, outputsOf, setup, tree } from './helpers.js';

function agent() {
  const model = new ScriptedChatModel({
    script: [
      { toolCalls: [{ name: 'add', args: { a: 1, b: 1 } }] },
      { content: 'one plus one is two' },
    ],
  });
  return createReactAgent({ llm: model, tools: [addTool] });
}

const input = () => ({ messages: [new HumanMessage('1+1?')] });

const TREE = [
  'LangGraph [AGENT] OK',
  '  agent [CHAIN] OK',
  '    RunnableSequence [CHAIN] OK',
  '      prompt [CHAIN] OK',
  '      ScriptedChatModel [CHAT_MODEL] OK',
  '    RunnableLambda [CHAIN] OK',
  '  tools [CHAIN] OK',
  '    add [TOOL] OK',
  '  agent [CHAIN] OK',
  '    RunnableSequence [CHAIN] OK',
  '      prompt [CHAIN] OK',
  '      ScriptedChatModel [CHAT_MODEL] OK',
  '    RunnableLambda [CHAIN] OK',
];

async function drain(iterable: AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>) {
  let n = 0;
  for await (const _ of await iterable) n++;
  return n;
}

describe('every way of running a graph gives the same trace', () => {
  const modes = [
    'values',
    'updates',
    'messages',
    'custom',
    'debug',
    'checkpoints',
    'tasks',
    'tools',
  ] as const;
  for (const streamMode of modes) {
    it(`stream({ streamMode: '${streamMode}' })`, async () => {
      const { handler, only } = setup();
      await drain(agent().stream(input(), { callbacks: [handler], streamMode }));
      expect(tree((await only()).spans)).toEqual(TREE);
    });
  }

  it('stream with several modes and subgraphs at once', async () => {
    const { handler, only } = setup();
    const chunks = await drain(
      agent().stream(input(), {
        callbacks: [handler],
        streamMode: ['values', 'updates', 'messages'],
        subgraphs: true,
      }),
    );
    expect(chunks).toBeGreaterThan(3);
    expect(tree((await only()).spans)).toEqual(TREE);
  });

  it('records streamed tokens as new_token events on the model span', async () => {
    const { handler, only } = setup();
    await drain(agent().stream(input(), { callbacks: [handler], streamMode: 'messages' }));
    const models = byName((await only()).spans, 'ScriptedChatModel');
    const answer = models.find((m) =>
      JSON.stringify(outputsOf(m)).includes('one plus one is two'),
    )!;
    expect(answer.events.map((e) => e.attributes.text)).toEqual([
      'one ',
      'plus ',
      'one ',
      'is ',
      'two',
    ]);
    expect(answer.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 30,
      output_tokens: 5,
      total_tokens: 35,
    });
  });

  it('bounds the token events per model call', async () => {
    const { tracker, only } = setup();
    const { GraphtraceCallbackHandler } = await import('../src/index.js');
    const handler = new GraphtraceCallbackHandler(tracker, { maxTokenEvents: 2 });
    await drain(agent().stream(input(), { callbacks: [handler], streamMode: 'messages' }));
    const answer = byName((await only()).spans, 'ScriptedChatModel').find(
      (m) => m.events.length > 0,
    )!;
    expect(answer.events).toHaveLength(2);
    expect(answer.attributes['graphtrace.droppedTokenEvents']).toBe(3);
  });

  it('streamEvents v2', async () => {
    const { handler, only } = setup();
    const events = await drain(
      agent().streamEvents(input(), { version: 'v2', callbacks: [handler] }),
    );
    expect(events).toBeGreaterThan(10);
    expect(tree((await only()).spans)).toEqual(TREE);
  });

  it('streamEvents v3 (content-block protocol)', async () => {
    const { handler, only } = setup();
    await drain(
      agent().streamEvents(input(), { version: 'v3', callbacks: [handler] }) as unknown as Promise<
        AsyncIterable<unknown>
      >,
    );
    const { spans } = await only();
    expect(tree(spans)).toEqual(TREE);
    const answer = byName(spans, 'ScriptedChatModel').find((m) => m.events.length > 0);
    expect(answer?.events.map((e) => e.attributes.text).join('')).toBe('one plus one is two');
  });

  it('batch gives one trace per input', async () => {
    const { handler, traces } = setup();
    const results = await agent().batch([input(), input(), input()], { callbacks: [handler] });
    expect(results).toHaveLength(3);
    const all = await traces();
    expect(all).toHaveLength(3);
    for (const t of all) expect(tree(t.spans)).toEqual(TREE);
  });
});
