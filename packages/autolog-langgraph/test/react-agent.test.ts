import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import { STEPS_METADATA_KEY } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, byName, inputsOf, one, outputsOf, setup, tree, weatherTool } from './helpers.js';

function agent() {
  const model = new ScriptedChatModel({
    modelName: 'gpt-test',
    script: [
      { toolCalls: [{ name: 'add', args: { a: 2, b: 3 } }] },
      { toolCalls: [{ name: 'weather', args: { city: 'Oslo' } }] },
      { content: 'It is sunny in Oslo and 2 + 3 = 5.' },
    ],
  });
  return createReactAgent({ llm: model, tools: [addTool, weatherTool] });
}

const AGENT_TURN = [
  '  agent [CHAIN] OK',
  '    RunnableSequence [CHAIN] OK',
  '      prompt [CHAIN] OK',
  '      ScriptedChatModel [CHAT_MODEL] OK',
  '    RunnableLambda [CHAIN] OK',
];

describe('a ReAct agent with two tools', () => {
  it('becomes one trace with the exact span tree', async () => {
    const { handler, only } = setup();
    await agent().invoke(
      { messages: [new HumanMessage('Weather in Oslo, and 2+3?')] },
      { callbacks: [handler] },
    );
    const trace = await only();
    expect(tree(trace.spans)).toEqual([
      'LangGraph [AGENT] OK',
      ...AGENT_TURN,
      '  tools [CHAIN] OK',
      '    add [TOOL] OK',
      ...AGENT_TURN,
      '  tools [CHAIN] OK',
      '    weather [TOOL] OK',
      ...AGENT_TURN,
    ]);
    // LangGraph's hidden __start__ run is not recorded.
    expect(byName(trace.spans, '__start__')).toHaveLength(0);
    expect(trace.info.state).toBe('OK');
    expect(trace.info.tags['mlflow.traceName']).toBe('LangGraph');
  });

  it('records chat model spans as MLflow chat spans', async () => {
    const { handler, only } = setup();
    await agent().invoke(
      { messages: [new HumanMessage('Weather in Oslo, and 2+3?')] },
      { callbacks: [handler] },
    );
    const { spans } = await only();
    const models = byName(spans, 'ScriptedChatModel').sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
    );
    expect(models).toHaveLength(3);
    const second = models[1]!;
    expect(second.attributes['mlflow.message.format']).toBe('openai');
    expect(second.attributes['mlflow.llm.model']).toBe('gpt-test');
    expect(second.attributes.invocation_params).toEqual({ model: 'gpt-test', temperature: 0 });
    expect(inputsOf(second)).toEqual({
      messages: [
        { role: 'user', content: 'Weather in Oslo, and 2+3?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: 'call_0_0',
              type: 'function',
              function: { name: 'add', arguments: '{"a":2,"b":3}' },
            },
          ],
        },
        { role: 'tool', content: '5', tool_call_id: 'call_0_0', name: 'add' },
      ],
    });
    expect(outputsOf(second)).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-test',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            tool_calls: [
              {
                id: 'call_1_0',
                type: 'function',
                function: { name: 'weather', arguments: '{"city":"Oslo"}' },
              },
            ],
          },
        },
      ],
    });
    // The scripted model reports 10 input tokens per message and 5 per answer/tool call.
    expect(second.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 30,
      output_tokens: 10,
      total_tokens: 40,
    });
    const tools = second.attributes['mlflow.chat.tools'] as { function: { name: string } }[];
    expect(tools.map((t) => t.function.name)).toEqual(['add', 'weather']);
    expect(tools[0]).toMatchObject({
      type: 'function',
      function: { name: 'add', description: 'Adds two numbers', parameters: { type: 'object' } },
    });
  });

  it('records tool spans with parsed arguments, the tool call id and the result', async () => {
    const { handler, only } = setup();
    await agent().invoke(
      { messages: [new HumanMessage('Weather in Oslo, and 2+3?')] },
      { callbacks: [handler] },
    );
    const { spans } = await only();
    const add = one(spans, 'add');
    expect(inputsOf(add)).toEqual({ a: 2, b: 3 });
    expect(add.attributes.tool_call_id).toBe('call_0_0');
    expect(outputsOf(add)).toMatchObject({ role: 'tool', content: '5', tool_call_id: 'call_0_0' });
    expect(inputsOf(one(spans, 'weather'))).toEqual({ city: 'Oslo' });
  });

  it('fills the trace info: previews, agent counters, steps and summed token usage', async () => {
    const { handler, only } = setup();
    await agent().invoke(
      { messages: [new HumanMessage('Weather in Oslo, and 2+3?')] },
      { callbacks: [handler] },
    );
    const { info, spans } = await only();
    expect(info.requestPreview).toBe('Weather in Oslo, and 2+3?');
    expect(info.responsePreview).toBe('It is sunny in Oslo and 2 + 3 = 5.');
    expect(info.traceMetadata['graphtrace.agent.llmCalls']).toBe('3');
    expect(info.traceMetadata['graphtrace.agent.toolCalls']).toBe('2');
    expect(info.traceMetadata['graphtrace.agent.toolErrors']).toBe('0');
    // agent, tools, agent, tools, agent
    expect(info.traceMetadata[STEPS_METADATA_KEY]).toBe('5');
    expect(info.traceMetadata['graphtrace.agent.spans']).toBe(String(spans.length));
    expect(JSON.parse(info.traceMetadata['mlflow.trace.tokenUsage']!)).toEqual({
      input_tokens: 10 + 30 + 50,
      output_tokens: 10 + 10 + 5,
      total_tokens: 115,
    });
    const root = one(spans, 'LangGraph');
    expect(inputsOf(root)).toEqual({
      messages: [{ role: 'user', content: 'Weather in Oslo, and 2+3?' }],
    });
    const out = outputsOf(root) as { messages: { role: string }[] };
    expect(out.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
  });

  it('marks the graph as CHAIN when no model→tool loop ran', async () => {
    const { handler, only } = setup();
    const model = new ScriptedChatModel({ script: [{ content: 'no tools needed' }] });
    await createReactAgent({ llm: model, tools: [addTool] }).invoke(
      { messages: [new HumanMessage('hello')] },
      { callbacks: [handler] },
    );
    const { spans } = await only();
    expect(one(spans, 'LangGraph').spanType).toBe('CHAIN');
  });
});
