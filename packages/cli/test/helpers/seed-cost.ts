import { join } from 'node:path';
import { createTracker, SpanType, type Tracker } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';

export interface SeededCost {
  uri: string;
  runId: string;
  /** A gpt-4o-mini call core prices at $0.00015 in / $0.0003 out. */
  pricedTraceId: string;
  /** The same call to a model no catalog knows: no cost at all. */
  unpricedTraceId: string;
}

/** One agent trace with one model call of 1,000 input and 500 output tokens. */
async function modelCall(
  tracker: Tracker,
  name: string,
  model: string,
  provider: string,
): Promise<string> {
  return tracker.withSpan({ name, spanType: SpanType.AGENT }, async (root) => {
    await tracker.withSpan({ name: 'chat', spanType: SpanType.CHAT_MODEL }, async (llm) => {
      llm.setAttribute('mlflow.llm.model', model);
      llm.setAttribute('mlflow.llm.provider', provider);
      llm.setAttribute('mlflow.chat.tokenUsage', { input_tokens: 1000, output_tokens: 500 });
      await new Promise((r) => setTimeout(r, 5));
    });
    return root.traceId;
  });
}

/**
 * An mlflow.db with one run whose two traces make the same model call, one to a priced model
 * and one to an unknown model; the run logs its agent metrics (costs included) when it ends.
 */
export async function seedCostSqlite(dir: string, file = 'cost.db'): Promise<SeededCost> {
  const dbPath = join(dir, file);
  const store = sqliteStore({ path: dbPath });
  const tracker = createTracker({ store, experimentName: 'cost-exp', handleExitSignals: false });
  const run = await tracker.startRun({ runName: 'priced-run' });
  const pricedTraceId = await modelCall(tracker, 'priced', 'gpt-4o-mini', 'openai');
  const unpricedTraceId = await modelCall(tracker, 'unpriced', 'no-such-model-7', 'acme');
  await tracker.flushTraces();
  await tracker.endRun('FINISHED');
  await tracker.shutdown();
  await store.close();
  return { uri: `sqlite:///${dbPath}`, runId: run.runId, pricedTraceId, unpricedTraceId };
}
