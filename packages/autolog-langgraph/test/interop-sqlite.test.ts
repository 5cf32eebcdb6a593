import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracker, silentLogger, type Tracker } from '@graphtrace/core';
import {
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  pyStr,
  runPythonJson,
  sqliteUri,
} from '@graphtrace/mlflow-testkit';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { autolog } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { addTool, failingTool } from './helpers.js';

interface PySpan {
  name: string;
  span_id: string;
  parent_id: string | null;
  span_type: string;
  status: string;
  inputs: unknown;
  outputs: unknown;
  attributes: Record<string, unknown>;
}

interface PyView {
  traces: number;
  info: {
    state: string;
    trace_metadata: Record<string, string>;
    token_usage: Record<string, number> | null;
    request_preview: string | null;
    response_preview: string | null;
    tags: Record<string, string>;
  };
  spans: PySpan[];
  run_metrics: Record<string, number>;
}

const READ_BACK = (uri: string, runId: string) => `
import json
from mlflow.tracking import MlflowClient

c = MlflowClient(tracking_uri=${pyStr(uri)})
exp = c.get_experiment_by_name("autolog-e2e")
traces = c.search_traces(experiment_ids=[exp.experiment_id])
t = c.get_trace(traces[0].info.trace_id)
info = t.info
print(json.dumps({
    "traces": len(traces),
    "info": {
        "state": info.state.value, "trace_metadata": info.trace_metadata,
        "token_usage": info.token_usage, "request_preview": info.request_preview,
        "response_preview": info.response_preview, "tags": info.tags,
    },
    "spans": [{
        "name": s.name, "span_id": s.span_id, "parent_id": s.parent_id, "span_type": s.span_type,
        "status": s.status.status_code.value, "inputs": s.inputs, "outputs": s.outputs,
        "attributes": s.attributes,
    } for s in t.data.spans],
    "run_metrics": c.get_run(${pyStr(runId)}).data.metrics,
}, default=str))
`;

describeInterop('autolog → SQLite store → MLflow 3.9.0 reads the agent trace', () => {
  let dir: string;
  let path: string;
  let runId = '';
  let tracker: Tracker;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolog-interop-'));
    path = join(dir, 'mlflow.db');
    const store = sqliteStore({ path });
    tracker = createTracker({
      store,
      experimentName: 'autolog-e2e',
      logger: silentLogger,
      handleExitSignals: false,
    });
    autolog(tracker);
    const model = new ScriptedChatModel({
      modelName: 'gpt-e2e',
      script: [
        { toolCalls: [{ name: 'add', args: { a: 20, b: 22 } }] },
        { toolCalls: [{ name: 'explode', args: {} }] },
        { content: 'The answer is 42.' },
      ],
    });
    const agent = createReactAgent({ llm: model, tools: [addTool, failingTool] });
    runId = await tracker.withRun(async (run) => {
      await agent.invoke(
        { messages: [new HumanMessage('What is 20 + 22?')] },
        { configurable: { thread_id: 'e2e-thread' } },
      );
      return run.runId;
    });
    await tracker.shutdown();
    await store.close();
  }, INTEROP_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    autolog({ disable: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'every span, type, parent, status, chat attribute and agent metric reads back',
    async () => {
      const view = await runPythonJson<PyView>(READ_BACK(sqliteUri(path), runId));
      expect(view.traces).toBe(1);
      const byId = new Map(view.spans.map((s) => [s.span_id, s]));
      const lines = view.spans
        .map(
          (s) =>
            `${s.name}<${s.parent_id ? byId.get(s.parent_id)?.name : 'root'} ${s.span_type} ${s.status}`,
        )
        .sort();
      expect(lines).toEqual(
        [
          'LangGraph<root AGENT OK',
          ...Array(3).fill('agent<LangGraph CHAIN OK'),
          ...Array(3).fill('RunnableSequence<agent CHAIN OK'),
          ...Array(3).fill('prompt<RunnableSequence CHAIN OK'),
          ...Array(3).fill('ScriptedChatModel<RunnableSequence CHAT_MODEL OK'),
          ...Array(3).fill('RunnableLambda<agent CHAIN OK'),
          'tools<LangGraph CHAIN OK',
          'tools<LangGraph CHAIN OK',
          'add<tools TOOL OK',
          'explode<tools TOOL ERROR',
        ].sort(),
      );
      const chat = view.spans.find(
        (s) => s.span_type === 'CHAT_MODEL' && JSON.stringify(s.outputs).includes('42.'),
      )!;
      expect(chat.attributes['mlflow.message.format']).toBe('openai');
      expect(chat.attributes['mlflow.chat.tokenUsage']).toEqual({
        input_tokens: 50,
        output_tokens: 5,
        total_tokens: 55,
      });
      expect(
        (chat.attributes['mlflow.chat.tools'] as { function: { name: string } }[]).map(
          (t) => t.function.name,
        ),
      ).toEqual(['add', 'explode']);
      expect((chat.inputs as { messages: { role: string }[] }).messages.map((m) => m.role)).toEqual(
        ['user', 'assistant', 'tool', 'assistant', 'tool'],
      );
      const add = view.spans.find((s) => s.name === 'add')!;
      expect(add.inputs).toEqual({ a: 20, b: 22 });
      expect(add.attributes.tool_call_id).toBe('call_0_0');

      expect(view.info.state).toBe('OK');
      expect(view.info.request_preview).toBe('What is 20 + 22?');
      expect(view.info.response_preview).toBe('The answer is 42.');
      expect(view.info.token_usage).toEqual({
        input_tokens: 10 + 30 + 50,
        output_tokens: 10 + 10 + 5,
        total_tokens: 115,
      });
      expect(view.info.trace_metadata).toMatchObject({
        'mlflow.trace.session': 'e2e-thread',
        'mlflow.sourceRun': runId,
        'graphtrace.agent.steps': '5',
        'graphtrace.agent.toolErrors': '1',
      });
      expect(view.run_metrics).toMatchObject({
        'agent.traces': 1,
        'agent.llm_calls': 3,
        'agent.tool_calls': 2,
        'agent.tool_errors': 1,
        'agent.total_tokens': 115,
      });
    },
    INTEROP_TEST_TIMEOUT_MS,
  );
});
