import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import {
  AIMessage,
  ChatMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import { Command, Send } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import {
  modelProviderOf,
  parseToolInput,
  tokenUsageOf,
  toOpenAIMessage,
  toolDefinitions,
  toRecordable,
} from '../src/convert.js';
import { chainStartArgs } from '../src/run-args.js';

describe('LangChain messages as OpenAI chat messages', () => {
  it('maps every role, tool calls and tool results', () => {
    expect(toOpenAIMessage(new SystemMessage('be brief'))).toEqual({
      role: 'system',
      content: 'be brief',
    });
    expect(toOpenAIMessage(new HumanMessage({ content: 'hi', name: 'ann' }))).toEqual({
      role: 'user',
      content: 'hi',
      name: 'ann',
    });
    expect(
      toOpenAIMessage(
        new AIMessage({
          content: '',
          tool_calls: [{ id: 'c1', name: 'add', args: { a: 1 }, type: 'tool_call' }],
        }),
      ),
    ).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a":1}' } }],
    });
    expect(toOpenAIMessage(new ToolMessage({ content: '2', tool_call_id: 'c1' }))).toEqual({
      role: 'tool',
      content: '2',
      tool_call_id: 'c1',
    });
    expect(toOpenAIMessage(new ChatMessage('hello', 'critic'))).toEqual({
      role: 'critic',
      content: 'hello',
    });
    // Multimodal content blocks are kept as they are.
    const blocks = [
      { type: 'text', text: 'look' },
      { type: 'image_url', image_url: { url: 'x' } },
    ];
    expect(toOpenAIMessage(new HumanMessage({ content: blocks }))).toEqual({
      role: 'user',
      content: blocks,
    });
    // Plain message dicts pass through.
    expect(toOpenAIMessage({ role: 'user', content: 'x' })).toEqual({ role: 'user', content: 'x' });
  });
});

describe('toRecordable', () => {
  it('converts messages, documents, Command and Send inside plain values, leaving the rest', () => {
    const value = {
      messages: [new HumanMessage('q')],
      docs: [new Document({ pageContent: 'p', metadata: { s: 1 } })],
      next: new Command({ goto: 'b', update: { x: 1 } }),
      fan: [new Send('worker', { id: 3 })],
      n: 1,
      when: new Date(0),
    };
    expect(toRecordable(value)).toEqual({
      messages: [{ role: 'user', content: 'q' }],
      docs: [{ page_content: 'p', metadata: { s: 1 } }],
      next: { Command: { goto: ['b'], update: { x: 1 } } },
      fan: [{ Send: { node: 'worker', args: { id: 3 } } }],
      n: 1,
      when: new Date(0),
    });
  });

  it('returns the same object when there is nothing to convert', () => {
    const value = { a: [1, { b: 'c' }] };
    expect(toRecordable(value)).toBe(value);
  });
});

describe('model call details', () => {
  it('token usage from usage_metadata, summed over generations, else llmOutput', () => {
    const gen = (i: number, o: number) => ({
      message: { usage_metadata: { input_tokens: i, output_tokens: o, total_tokens: i + o } },
    });
    expect(tokenUsageOf({}, [gen(1, 2), gen(3, 4)])).toEqual({
      input_tokens: 4,
      output_tokens: 6,
      total_tokens: 10,
    });
    expect(
      tokenUsageOf({ llmOutput: { tokenUsage: { promptTokens: 5, completionTokens: 1 } } }, []),
    ).toEqual({ input_tokens: 5, output_tokens: 1, total_tokens: 6 });
    expect(tokenUsageOf({}, [{ message: {} }])).toBeNull();
  });

  it('cache counts from usage_metadata details, OpenAI details and flat provider keys', () => {
    const message = (usage_metadata: unknown) => [{ message: { usage_metadata } }];
    expect(
      tokenUsageOf(
        {},
        message({
          input_tokens: 100,
          output_tokens: 10,
          total_tokens: 110,
          input_token_details: { cache_read: 30, cache_creation: 20, ephemeral_1h_input_tokens: 5 },
        }),
      ),
    ).toEqual({
      input_tokens: 100,
      output_tokens: 10,
      total_tokens: 110,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 20,
      cache_creation_input_tokens_above_1hr: 5,
    });
    expect(
      tokenUsageOf(
        {
          llmOutput: {
            tokenUsage: {
              prompt_tokens: 9,
              completion_tokens: 1,
              prompt_tokens_details: { cached_tokens: 4 },
            },
          },
        },
        [],
      ),
    ).toEqual({ input_tokens: 9, output_tokens: 1, total_tokens: 10, cache_read_input_tokens: 4 });
  });

  it('the provider from ls_provider, else the model type without its chat affix', () => {
    expect(modelProviderOf({ ls_provider: 'anthropic' }, { _type: 'openai-chat' })).toBe(
      'anthropic',
    );
    expect(modelProviderOf(undefined, { _type: 'openai-chat' })).toBe('openai');
    expect(modelProviderOf(undefined, { _type: 'chat-mistral' })).toBe('mistral');
    expect(modelProviderOf(undefined, {})).toBeUndefined();
  });

  it('tool definitions from OpenAI-style and name-only entries', () => {
    expect(
      toolDefinitions([
        {
          type: 'function',
          function: { name: 'a', description: 'A', parameters: { type: 'object' } },
        },
        { name: 'b', description: 'B', input_schema: {} },
        { nonsense: true },
      ]),
    ).toEqual([
      {
        type: 'function',
        function: { name: 'a', description: 'A', parameters: { type: 'object' } },
      },
      { type: 'function', function: { name: 'b', description: 'B' } },
    ]);
  });

  it('tool input strings are parsed when they are JSON', () => {
    expect(parseToolInput('{"a":1}')).toEqual({ a: 1 });
    expect(parseToolInput('plain words')).toBe('plain words');
    expect(parseToolInput('{not json')).toBe('{not json');
  });
});

describe('handleChainStart argument order', () => {
  it('@langchain/core calls handlers in a different order than it declares; both are read right', async () => {
    const seen: unknown[][] = [];
    class Capture extends BaseCallbackHandler {
      name = 'capture';
      override awaitHandlers = true;
      override handleChainStart(...args: unknown[]) {
        seen.push(args);
      }
    }
    const parent = crypto.randomUUID();
    const run = crypto.randomUUID();
    const manager = new CallbackManager(parent, { handlers: [new Capture()] });
    await manager.handleChainStart(
      { lc: 1, type: 'not_implemented', id: ['x'] },
      { q: 1 },
      run,
      'my-run-type',
      undefined,
      undefined,
      'my-run-name',
    );
    const runtime = seen[0]!;
    expect(runtime[2]).toBe(run);
    // At runtime: (chain, inputs, runId, parentRunId, tags, metadata, runType, runName, extra).
    expect(runtime[3]).toBe(parent);
    expect(chainStartArgs(runtime.slice(3))).toMatchObject({
      parentRunId: parent,
      runType: 'my-run-type',
      runName: 'my-run-name',
    });
    // As declared: (chain, inputs, runId, runType, tags, metadata, runName, parentRunId, extra).
    expect(
      chainStartArgs(['my-run-type', ['t'], { m: 1 }, 'my-run-name', parent, undefined]),
    ).toEqual({
      parentRunId: parent,
      tags: ['t'],
      metadata: { m: 1 },
      runType: 'my-run-type',
      runName: 'my-run-name',
    });
    expect(chainStartArgs([undefined, [], {}, undefined, parent])).toMatchObject({
      parentRunId: parent,
    });
  });
});
