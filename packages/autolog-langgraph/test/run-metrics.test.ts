import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { afterEach, describe, expect, it } from 'vitest';
import { autolog, STEPS_METADATA_KEY } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, failingTool, setup } from './helpers.js';

describe('agent metrics', () => {
  afterEach(() => {
    autolog({ disable: true });
  });

  it("land in each trace and roll up into the active run's metrics", async () => {
    const { tracker, store, traces } = setup();
    autolog(tracker);
    const model = new ScriptedChatModel({
      script: [
        {
          toolCalls: [
            { name: 'add', args: { a: 1, b: 2 } },
            { name: 'explode', args: {} },
          ],
        },
        { content: 'partly done' },
      ],
    });
    const agent = createReactAgent({ llm: model, tools: [addTool, failingTool] });
    const runId = await tracker.withRun(async (run) => {
      await agent.invoke({ messages: [new HumanMessage('a')] });
      await agent.invoke({ messages: [new HumanMessage('b')] });
      return run.runId;
    });

    const all = await traces();
    expect(all).toHaveLength(2);
    for (const t of all) {
      expect(t.info.traceMetadata['mlflow.sourceRun']).toBe(runId);
      expect(t.info.traceMetadata).toMatchObject({
        'graphtrace.agent.llmCalls': '2',
        'graphtrace.agent.toolCalls': '2',
        'graphtrace.agent.toolErrors': '1',
        [STEPS_METADATA_KEY]: '3',
      });
    }
    const run = (await store.getRun(runId))!;
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(metrics).toMatchObject({
      'agent.traces': 2,
      'agent.llm_calls': 4,
      'agent.tool_calls': 4,
      'agent.tool_errors': 2,
      'agent.steps': 6,
      'agent.error_rate': 0,
      // Per invocation: 10 in / 15 out (two tool calls), then 40 in / 5 out; twice.
      'agent.input_tokens': 100,
      'agent.output_tokens': 40,
      'agent.total_tokens': 140,
    });
  });
});
