import { join } from 'node:path';
import { createTracker, SpanType } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';

export interface Seeded {
  dbPath: string;
  uri: string;
  experimentName: string;
  experimentId: string;
  runId: string;
  okTraceId: string;
  errorTraceId: string;
}

/**
 * Writes a realistic mlflow.db through graphtrace's own tracing API and SQLite store: one
 * experiment, one finished run with params, a metric history and tags, and two traces linked
 * to it (one OK with an LLM call's token usage and a tool, one failing in a tool).
 */
export async function seedSqlite(
  dir: string,
  file = 'mlflow.db',
  experimentName = 'agent-exp',
): Promise<Seeded> {
  const dbPath = join(dir, file);
  const store = sqliteStore({ path: dbPath });
  const tracker = createTracker({
    store,
    experimentName,
    handleExitSignals: false,
    logAgentMetrics: false,
  });
  const traceIds: string[] = [];
  const run = await tracker.startRun({ runName: 'nightly-eval', tags: { team: 'search' } });
  await tracker.logParams({ model: 'gpt-4o-mini', temperature: 0.2 });
  await tracker.logMetrics({ accuracy: 0.5 }, { step: 0 });
  await tracker.logMetrics({ accuracy: 0.75 }, { step: 1 });
  await tracker.logMetrics({ accuracy: 0.9 }, { step: 2 });

  await tracker.withSpan({ name: 'answer', spanType: SpanType.AGENT }, async (root) => {
    traceIds.push(root.traceId);
    root.setInputs({ question: 'What is 6 x 7?' });
    await tracker.withSpan({ name: 'chat', spanType: SpanType.CHAT_MODEL }, async (llm) => {
      llm.setInputs([{ role: 'user', content: 'What is 6 x 7?' }]);
      llm.setAttribute('mlflow.chat.tokenUsage', {
        input_tokens: 120,
        output_tokens: 30,
        total_tokens: 150,
      });
      await new Promise((r) => setTimeout(r, 15));
      llm.setOutputs('42');
    });
    await tracker.withSpan({ name: 'calculator', spanType: SpanType.TOOL }, async (tool) => {
      tool.setInputs({ a: 6, b: 7 });
      await new Promise((r) => setTimeout(r, 5));
      tool.setOutputs(42);
    });
    root.setOutputs('42');
  });
  await tracker
    .withSpan({ name: 'divide', spanType: SpanType.AGENT }, async (root) => {
      traceIds.push(root.traceId);
      root.setInputs({ question: '1 / 0' });
      await tracker.withSpan({ name: 'calculator', spanType: SpanType.TOOL }, async () => {
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('division by zero');
      });
    })
    .catch(() => undefined);
  await tracker.flushTraces();
  await tracker.logFeedback({
    traceId: traceIds[0]!,
    name: 'correct',
    value: true,
    rationale: '6 x 7 is 42',
  });
  await tracker.endRun('FINISHED');
  await tracker.shutdown();
  const experimentId = (await store.getExperimentByName(experimentName))!.experimentId;
  await store.close();
  return {
    dbPath,
    uri: `sqlite:///${dbPath}`,
    experimentName,
    experimentId,
    runId: run.runId,
    okTraceId: traceIds[0]!,
    errorTraceId: traceIds[1]!,
  };
}
