import {
  createTracker,
  type LiveSpan,
  manualClock,
  SpanType,
  silentLogger,
  type TrackingStore,
} from '@graphtrace/core';

/*
 * A ReAct agent's session, written by graphtrace's tracker in exactly the shapes autolog
 * records for `createReactAgent` (checked against a real run of autolog with ScriptedChatModel:
 * span tree LangGraph > agent > model, tools > tool; OpenAI messages in, a chat completion out;
 * TOOL spans with the parsed arguments, the tool message as result and `tool_call_id`; a
 * failing tool ERROR with an exception event while ToolNode carries on). Turn 1 asks the
 * weather; the first get_weather call fails (a typo in the city), the model retries with the
 * right one and answers. Turn 2 asks for tomorrow. Outside the session: a trace written by hand
 * (no chat shapes at all), and one whose model call fails.
 */

export const STORY_EXPERIMENT = 'weather-agent';
export const STORY_SESSION = 'trip-42';
export const QUESTION = 'What is the weather in Paris?';
export const FOLLOW_UP = 'And tomorrow?';
export const ANSWER = 'It is 18 °C and sunny in Paris.';
export const TOOL_ERROR = 'Error: unknown city: Pariss';
export const LONG_QUERY = 'refund policy '.repeat(60).trim();
export const RATE_LIMITED_QUESTION = 'Will it rain in Oslo?';

class RateLimitError extends Error {
  override name = 'RateLimitError';
}

export interface SeededStory {
  experimentId: string;
  /** Turn 1: the failing then retried tool. */
  traceId: string;
  /** Turn 2. */
  followUpTraceId: string;
  /** The hand-written trace. */
  manualTraceId: string;
  /** A trace whose model call failed (the trace failed). */
  failedTraceId: string;
  failedModelSpanId: string;
  /** Turn 1's spans by role. */
  spans: {
    models: string[];
    failedTool: string;
    retriedTool: string;
  };
}

interface Call {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

const openAiCall = (c: Call) => ({
  id: c.id,
  type: 'function',
  function: { name: c.name, arguments: JSON.stringify(c.args) },
});

/** Writes the session (and the manual trace) ending about `now`. */
export async function seedStory(store: TrackingStore, now = Date.now()): Promise<SeededStory> {
  const clock = manualClock(now - 10 * 60_000);
  const tracker = createTracker({
    store,
    experimentName: STORY_EXPERIMENT,
    clock,
    logger: silentLogger,
    handleExitSignals: false,
    logAgentMetrics: true,
  });
  const models: string[] = [];
  const tools: string[] = [];

  /** One model call inside its `agent` node: the conversation so far in, a completion out. */
  const model = (messages: unknown[], reply: { content: string; calls?: Call[] }) =>
    tracker.withSpan({ name: 'agent', spanType: SpanType.CHAIN, inputs: { messages } }, () =>
      tracker.withSpan(
        { name: 'ChatOpenAI', spanType: SpanType.CHAT_MODEL, inputs: { messages } },
        async (span: LiveSpan) => {
          models.push(span.spanId);
          span.setAttribute('mlflow.message.format', 'openai');
          span.setAttribute('mlflow.llm.model', 'gpt-4o-mini');
          span.setAttribute('mlflow.llm.provider', 'openai');
          span.setAttribute('mlflow.chat.tokenUsage', {
            input_tokens: 10 * messages.length,
            output_tokens: 12,
            total_tokens: 10 * messages.length + 12,
          });
          clock.advance(400);
          const message = {
            role: 'assistant',
            content: reply.content,
            ...(reply.calls ? { tool_calls: reply.calls.map(openAiCall) } : {}),
          };
          return {
            object: 'chat.completion',
            model: 'gpt-4o-mini',
            choices: [{ index: 0, message, finish_reason: reply.calls ? 'tool_calls' : 'stop' }],
          };
        },
      ),
    );

  /** The `tools` node running one call; a failure becomes the error message the model reads. */
  const tool = (call: Call, run: () => unknown) =>
    tracker.withSpan({ name: 'tools', spanType: SpanType.CHAIN }, async () => {
      try {
        return await tracker.withSpan(
          { name: call.name, spanType: SpanType.TOOL, inputs: call.args },
          async (span: LiveSpan) => {
            tools.push(span.spanId);
            span.setAttribute('tool_call_id', call.id);
            clock.advance(80);
            const content = JSON.stringify(run());
            return { role: 'tool', content, name: call.name, tool_call_id: call.id };
          },
        );
      } catch (err) {
        return {
          role: 'tool',
          content: `Error: ${(err as Error).message}\n Please fix your mistakes.`,
          name: call.name,
          tool_call_id: call.id,
        };
      }
    });

  const turn = (question: string, plan: (messages: unknown[], root: LiveSpan) => Promise<void>) =>
    tracker
      .withSpan(
        {
          name: 'LangGraph',
          spanType: SpanType.AGENT,
          inputs: { messages: [{ role: 'user', content: question }] },
        },
        async (root: LiveSpan) => {
          tracker.updateCurrentTrace({ session: STORY_SESSION, user: 'alice' });
          const messages: unknown[] = [{ role: 'user', content: question }];
          await plan(messages, root);
          clock.advance(5);
          return { messages };
        },
      )
      .then(() => undefined);

  let traceId = '';
  let followUpTraceId = '';
  await turn(QUESTION, async (messages, root) => {
    traceId = root.traceId;
    const typo: Call = { id: 'call_0_0', name: 'get_weather', args: { city: 'Pariss' } };
    const retry: Call = { id: 'call_1_0', name: 'get_weather', args: { city: 'Paris' } };
    const weather = (args: Record<string, unknown>) => {
      if (args.city !== 'Paris') throw new Error(`unknown city: ${String(args.city)}`);
      return { temperature_c: 18, conditions: 'sunny' };
    };
    await model([...messages], { content: 'Let me look that up.', calls: [typo] });
    messages.push({
      role: 'assistant',
      content: 'Let me look that up.',
      tool_calls: [openAiCall(typo)],
    });
    messages.push(await tool(typo, () => weather(typo.args)));
    await model([...messages], { content: '', calls: [retry] });
    messages.push({ role: 'assistant', content: '', tool_calls: [openAiCall(retry)] });
    messages.push(await tool(retry, () => weather(retry.args)));
    await model([...messages], { content: ANSWER });
    messages.push({ role: 'assistant', content: ANSWER });
  });
  const turn1 = { models: [...models], tools: [...tools] };
  clock.advance(60_000);
  await turn(FOLLOW_UP, async (messages, root) => {
    followUpTraceId = root.traceId;
    const forecast: Call = {
      id: 'call_0_0',
      name: 'get_forecast',
      args: { city: 'Paris', days: 1 },
    };
    await model([...messages], { content: '', calls: [forecast] });
    messages.push({ role: 'assistant', content: '', tool_calls: [openAiCall(forecast)] });
    messages.push(await tool(forecast, () => ({ temperature_c: 20, conditions: 'cloudy' })));
    const answer = 'Tomorrow: 20 °C and cloudy.';
    await model([...messages], { content: answer });
    messages.push({ role: 'assistant', content: answer });
  });
  clock.advance(60_000);

  // By hand, no autolog: a plain LLM span (text in, text out) and a tool the code calls itself.
  let manualTraceId = '';
  await tracker.withSpan(
    { name: 'faq_pipeline', spanType: SpanType.CHAIN, inputs: { question: 'Refunds?' } },
    async (root: LiveSpan) => {
      manualTraceId = root.traceId;
      const docs = await tracker.withSpan(
        { name: 'search_docs', spanType: SpanType.TOOL, inputs: { query: LONG_QUERY, top_k: 2 } },
        async () => {
          clock.advance(30);
          return [{ title: 'Refunds', text: 'Within 30 days.' }];
        },
      );
      const text = await tracker.withSpan(
        { name: 'complete', spanType: SpanType.LLM, inputs: `Answer from ${JSON.stringify(docs)}` },
        async () => {
          clock.advance(200);
          return 'Refunds are accepted within 30 days.';
        },
      );
      return { answer: text, sources: 1 };
    },
  );
  clock.advance(60_000);

  // A model call that fails, and with it the trace.
  let failedTraceId = '';
  let failedModelSpanId = '';
  await tracker
    .withSpan(
      {
        name: 'LangGraph',
        spanType: SpanType.AGENT,
        inputs: { messages: [{ role: 'user', content: RATE_LIMITED_QUESTION }] },
      },
      async (root: LiveSpan) => {
        failedTraceId = root.traceId;
        await tracker.withSpan(
          {
            name: 'ChatOpenAI',
            spanType: SpanType.CHAT_MODEL,
            inputs: { messages: [{ role: 'user', content: RATE_LIMITED_QUESTION }] },
          },
          async (span: LiveSpan) => {
            failedModelSpanId = span.spanId;
            clock.advance(50);
            throw new RateLimitError('slow down');
          },
        );
      },
    )
    .catch(() => undefined);
  await tracker.shutdown();
  return {
    experimentId: await tracker.experimentId(),
    traceId,
    followUpTraceId,
    manualTraceId,
    failedTraceId,
    failedModelSpanId,
    spans: {
      models: turn1.models,
      failedTool: turn1.tools[0]!,
      retriedTool: turn1.tools[1]!,
    },
  };
}
