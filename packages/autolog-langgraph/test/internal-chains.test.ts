import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import {
  autolog,
  autologFromConfig,
  GraphtraceCallbackHandler,
  type InternalChains,
} from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, byName, inputsOf, one, outputsOf, setup, tree } from './helpers.js';

async function runAgent(recordInternalChains?: InternalChains) {
  const s = setup();
  const handler = new GraphtraceCallbackHandler(s.tracker, {
    ...(recordInternalChains ? { recordInternalChains } : {}),
  });
  const agent = createReactAgent({
    llm: new ScriptedChatModel({
      script: [{ toolCalls: [{ name: 'add', args: { a: 2, b: 3 } }] }, { content: '5' }],
    }),
    tools: [addTool],
  });
  await agent.invoke({ messages: [new HumanMessage('2+3?')] }, { callbacks: [handler] });
  return (await s.only()).spans;
}

const FULL_TURN = [
  '  agent [CHAIN] OK',
  '    RunnableSequence [CHAIN] OK',
  '      prompt [CHAIN] OK',
  '      ScriptedChatModel [CHAT_MODEL] OK',
  '    RunnableLambda [CHAIN] OK',
];

describe('record_internal_chains', () => {
  it('full (default, as MLflow): every chain with its inputs and outputs', async () => {
    const spans = await runAgent();
    expect(tree(spans)).toEqual([
      'LangGraph [AGENT] OK',
      ...FULL_TURN,
      '  tools [CHAIN] OK',
      '    add [TOOL] OK',
      ...FULL_TURN,
    ]);
    for (const s of byName(spans, 'RunnableSequence')) expect(inputsOf(s)).toBeDefined();
    expect(spans.every((s) => s.attributes['graphtrace.payload_ref'] === undefined)).toBe(true);
  });

  it('reference: the same spans, without copies of the node state they ran on', async () => {
    const spans = await runAgent('reference');
    expect(tree(spans)).toEqual([
      'LangGraph [AGENT] OK',
      ...FULL_TURN,
      '  tools [CHAIN] OK',
      '    add [TOOL] OK',
      ...FULL_TURN,
    ]);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const internal = spans.filter((s) =>
      ['RunnableSequence', 'prompt', 'RunnableLambda'].includes(s.name),
    );
    expect(internal).toHaveLength(6);
    for (const s of internal) {
      expect(inputsOf(s)).toBeUndefined();
      expect(outputsOf(s)).toBeUndefined();
      // The reference names the node whose state holds them.
      expect(byId.get(s.attributes['graphtrace.payload_ref'] as string)?.name).toBe('agent');
    }
    // Graph, nodes, model and tool calls keep their payloads.
    for (const name of ['LangGraph', 'agent', 'tools', 'ScriptedChatModel', 'add'])
      for (const s of byName(spans, name)) expect(inputsOf(s), name).toBeDefined();
    expect(JSON.stringify(outputsOf(one(spans, 'add')))).toContain('5');
  });

  it('off: no internal chain spans; model calls attach to their node', async () => {
    const spans = await runAgent('off');
    expect(tree(spans)).toEqual([
      'LangGraph [AGENT] OK',
      '  agent [CHAIN] OK',
      '    ScriptedChatModel [CHAT_MODEL] OK',
      '  tools [CHAIN] OK',
      '    add [TOOL] OK',
      '  agent [CHAIN] OK',
      '    ScriptedChatModel [CHAT_MODEL] OK',
    ]);
  });

  it('a value outside the three is refused where it is given, naming the option', () => {
    const { tracker } = setup();
    const bad = 'none' as InternalChains;
    expect(() => new GraphtraceCallbackHandler(tracker, { recordInternalChains: bad })).toThrow(
      /recordInternalChains must be one of full, reference, off, got "none"/,
    );
    expect(() => autolog(tracker, { recordInternalChains: bad })).toThrow(
      /INVALID_ARGUMENT|one of/,
    );
  });

  it('autologFromConfig passes record_internal_chains on', async () => {
    const s = setup();
    const handle = autologFromConfig(
      { observability: { mlflow: { autolog_enabled: true, record_internal_chains: 'off' } } },
      s.tracker,
    );
    try {
      const agent = createReactAgent({
        llm: new ScriptedChatModel({ script: [{ content: 'hi' }] }),
        tools: [],
      });
      await agent.invoke({ messages: [new HumanMessage('hello')] });
      await handle.flush();
      expect(tree((await s.only()).spans)).toEqual([
        'LangGraph [CHAIN] OK',
        '  agent [CHAIN] OK',
        '    ScriptedChatModel [CHAT_MODEL] OK',
      ]);
    } finally {
      handle.disable();
    }
  });
});
