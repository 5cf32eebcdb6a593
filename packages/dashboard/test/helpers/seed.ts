import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTracker,
  type LiveSpan,
  manualClock,
  SpanType,
  silentLogger,
  type TrackingStore,
} from '@graphtrace/core';
import { type SqliteStore, sqliteStore } from '@graphtrace/store-sqlite';

/*
 * Realistic agent traces written by graphtrace's own tracker into a real SQLite store: a
 * support agent whose chat model calls tools (OpenAI-format messages with tool calls, token
 * usage), a failing calculator, sessions and users, env tags, a run with a metric history,
 * feedback and an expectation.
 */

export const EXPERIMENT = 'support-agent';
export const QUESTIONS = [
  'What is the weather in Paris?',
  'How do I reset my password?',
  'What is 12 divided by 0?',
  'Summarise the refund policy',
  'Is the Berlin office open on Sunday?',
] as const;

export interface Seeded {
  store: TrackingStore;
  experimentId: string;
  traceIds: string[];
  /** The trace whose calculator call failed. */
  errorTraceId: string;
  /** A trace with a get_weather tool call. */
  weatherTraceId: string;
  runId: string;
  /** ms since epoch of the first and last trace. */
  firstTime: number;
  lastTime: number;
}

const SYSTEM = 'You are a helpful support agent. Use the tools when they help.';

interface ToolPlan {
  name: string;
  args: Record<string, unknown>;
  run: () => unknown;
}

function planFor(question: string): ToolPlan {
  if (question.includes('weather'))
    return {
      name: 'get_weather',
      args: { city: 'Paris' },
      run: () => ({ temperature_c: 18, conditions: 'sunny' }),
    };
  if (question.includes('divided'))
    return {
      name: 'calculator',
      args: { expression: '12 / 0' },
      run: () => {
        throw new RangeError('division by zero');
      },
    };
  if (question.includes('Berlin'))
    return {
      name: 'office_hours',
      args: { office: 'Berlin', day: 'Sunday' },
      run: () => ({ open: false }),
    };
  return {
    name: 'search_docs',
    args: { query: question.toLowerCase(), top_k: 3 },
    run: () => [{ title: 'Help centre', snippet: 'See the account settings page.' }],
  };
}

/**
 * Writes `traces` agent traces (one every ~2.5 minutes, ending about now) and a run.
 * `now` pins the end of the seeded period.
 */
export async function seedStore(
  store: TrackingStore,
  options: { traces?: number; now?: number } = {},
): Promise<Seeded> {
  const count = options.traces ?? 40;
  const end = options.now ?? Date.now();
  const clock = manualClock(end - count * 150_000 - 60_000);
  const tracker = createTracker({
    store,
    experimentName: EXPERIMENT,
    clock,
    logger: silentLogger,
    handleExitSignals: false,
    logAgentMetrics: true,
  });
  const traceIds: string[] = [];
  let errorTraceId = '';
  let weatherTraceId = '';
  let runId = '';

  const chat = (
    name: string,
    messages: unknown[],
    reply: Record<string, unknown>,
    usage: { input_tokens: number; output_tokens: number },
    ms: number,
  ) =>
    tracker.withSpan(
      { name, spanType: SpanType.CHAT_MODEL, inputs: { messages } },
      async (span: LiveSpan) => {
        span.setAttribute('mlflow.message.format', 'openai');
        span.setAttribute('mlflow.llm.model', 'gpt-4o-mini');
        clock.advance(ms);
        span.setAttribute('mlflow.chat.tokenUsage', {
          ...usage,
          total_tokens: usage.input_tokens + usage.output_tokens,
        });
        return {
          object: 'chat.completion',
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: reply, finish_reason: 'stop' }],
        };
      },
    );

  const answer = async (i: number) => {
    const question = QUESTIONS[i % QUESTIONS.length]!;
    const plan = planFor(question);
    const user = { role: 'user', content: question };
    try {
      await tracker.withSpan(
        { name: 'support_agent', spanType: SpanType.AGENT, inputs: { messages: [user] } },
        async (root: LiveSpan) => {
          traceIds.push(root.traceId);
          if (plan.name === 'calculator' && !errorTraceId) errorTraceId = root.traceId;
          if (plan.name === 'get_weather' && !weatherTraceId) weatherTraceId = root.traceId;
          tracker.updateCurrentTrace({
            session: `session-${(i % 6) + 1}`,
            user: i % 2 === 0 ? 'alice' : 'bob',
            tags: { env: i % 4 === 0 ? 'dev' : 'prod' },
          });
          const call = {
            id: `call_${i}`,
            type: 'function',
            function: { name: plan.name, arguments: JSON.stringify(plan.args) },
          };
          const asked = { role: 'assistant', content: '', tool_calls: [call] };
          await chat(
            'ChatOpenAI',
            [{ role: 'system', content: SYSTEM }, user],
            asked,
            { input_tokens: 100 + i, output_tokens: 20 },
            300 + (i % 7) * 40,
          );
          const result = await tracker.withSpan(
            { name: plan.name, spanType: SpanType.TOOL, inputs: plan.args },
            async () => {
              clock.advance(plan.name === 'search_docs' ? 120 + (i % 5) * 30 : 40 + (i % 3) * 10);
              return plan.run();
            },
          );
          const toolMessage = {
            role: 'tool',
            tool_call_id: call.id,
            content: JSON.stringify(result),
          };
          const final = {
            role: 'assistant',
            content: `Here is what I found: ${JSON.stringify(result)}`,
          };
          await chat(
            'ChatOpenAI',
            [{ role: 'system', content: SYSTEM }, user, asked, toolMessage],
            final,
            { input_tokens: 180 + i, output_tokens: 45 },
            500 + (i % 5) * 60,
          );
          return { messages: [user, final] };
        },
      );
    } catch {
      // the calculator failure: recorded on the spans, swallowed by the "app"
    }
    clock.advance(150_000);
  };

  const eval_ = Math.min(5, count);
  for (let i = 0; i < count - eval_; i++) await answer(i);
  // The last traces run inside an evaluation run, which also logs a metric history.
  await tracker.withRun(
    async (run) => {
      runId = run.runId;
      for (let i = count - eval_; i < count; i++) await answer(i);
      for (let step = 0; step < 10; step++) {
        await tracker.logMetrics({ accuracy: 0.5 + step * 0.04, loss: 1 / (step + 1) }, { step });
        clock.advance(1000);
      }
    },
    { runName: 'nightly-eval', params: { model: 'gpt-4o-mini', temperature: 0.2 } },
  );
  await tracker.flushTraces();
  await tracker.logFeedback({
    traceId: traceIds[0]!,
    name: 'helpfulness',
    value: 4,
    rationale: 'Answered, a bit terse',
    source: { sourceType: 'LLM_JUDGE', sourceId: 'judge-gpt' },
  });
  await tracker.logExpectation({
    traceId: weatherTraceId || traceIds[0]!,
    name: 'expected_answer',
    value: 'Sunny, 18 °C',
  });
  await tracker.shutdown();
  const experimentId = await tracker.experimentId();
  const infos = await Promise.all(traceIds.map((id) => store.getTraceInfo(id)));
  const times = infos.map((t) => t!.requestTime);
  return {
    store,
    experimentId,
    traceIds,
    errorTraceId,
    weatherTraceId,
    runId,
    firstTime: Math.min(...times),
    lastTime: Math.max(...times),
  };
}

/** A seeded SQLite file in a fresh temp directory. */
export async function seedSqlite(
  options: { traces?: number; now?: number } = {},
): Promise<Seeded & { store: SqliteStore; dir: string; path: string; remove(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'graphtrace-dashboard-'));
  const path = join(dir, 'mlflow.db');
  const store = sqliteStore({ path });
  const seeded = await seedStore(store, options);
  return {
    ...seeded,
    store,
    dir,
    path,
    async remove() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
