import {
  createTracker,
  type LiveSpan,
  manualClock,
  SpanType,
  silentLogger,
  type TrackingStore,
} from '@graphtrace/core';
import { type Seeded, seedStore } from './seed.js';

/*
 * A second experiment beside the support agent's, for the links across experiments and the
 * run, quality and picker checks of a first session (issue 17): six `docs_agent` traces (all
 * of one name) in two sessions, all inside one run that logs only graphtrace's agent metrics,
 * feedback of three kinds, and one trace whose root span lasts 2.21 ms (stored as 2 ms).
 */

/** Long enough that "(6 traces)" does not fit the header picker's old width. */
export const DOCS_EXPERIMENT = 'langgraph-examples-docs-agent';
export const DOCS_RUN = 'docs-eval';
export const DOCS_QUESTIONS = [
  'How do I install graphtrace?',
  'Where are the traces stored?',
  'Can the MLflow UI read them?',
  'What does autolog record?',
  'How are costs computed?',
  'Which Node versions work?',
] as const;

export interface SeededDocs {
  experimentId: string;
  runId: string;
  /** In creation order; sessions `docs-session-1` (first three) and `docs-session-2`. */
  traceIds: string[];
  /** The first trace: root span 2.21 ms, trace duration stored in whole ms. */
  shortTraceId: string;
}

/** Writes the docs agent's traces, starting at `startMs` (one every minute). */
export async function seedDocsAgent(store: TrackingStore, startMs: number): Promise<SeededDocs> {
  const clock = manualClock(startMs);
  const tracker = createTracker({
    store,
    experimentName: DOCS_EXPERIMENT,
    clock,
    logger: silentLogger,
    handleExitSignals: false,
    logAgentMetrics: true,
  });
  const traceIds: string[] = [];
  let runId = '';
  await tracker.withRun(
    async (run) => {
      runId = run.runId;
      for (const [i, question] of DOCS_QUESTIONS.entries()) {
        // The first trace is fast: its model call takes 1.5 ms of a 2.21 ms root span.
        const [modelMs, restMs] = i === 0 ? [1.5, 0.71] : [300 + i * 20, 40];
        await tracker.withSpan(
          { name: 'docs_agent', spanType: SpanType.AGENT, inputs: { question } },
          async (root: LiveSpan) => {
            traceIds.push(root.traceId);
            tracker.updateCurrentTrace({ session: `docs-session-${i < 3 ? 1 : 2}` });
            await tracker.withSpan(
              { name: 'ChatOpenAI', spanType: SpanType.CHAT_MODEL, inputs: { question } },
              async (span: LiveSpan) => {
                span.setAttribute('mlflow.llm.model', 'gpt-4o-mini');
                span.setAttribute('mlflow.chat.tokenUsage', {
                  input_tokens: 50 + i,
                  output_tokens: 10,
                  total_tokens: 60 + i,
                });
                clock.advance(modelMs);
                return { answer: `See the docs, part ${i + 1}.` };
              },
            );
            clock.advance(restMs);
            return { answer: `See the docs, part ${i + 1}.` };
          },
        );
        clock.advance(60_000);
      }
    },
    { runName: DOCS_RUN },
  );
  await tracker.flushTraces();
  const human = { sourceType: 'HUMAN' as const, sourceId: 'reviewer' };
  await tracker.logFeedback({
    traceId: traceIds[1]!,
    name: 'user_feedback',
    value: true,
    source: human,
  });
  await tracker.logFeedback({
    traceId: traceIds[2]!,
    name: 'user_feedback',
    value: false,
    source: human,
  });
  await tracker.logFeedback({ traceId: traceIds[3]!, name: 'helpfulness', value: 3 });
  await tracker.logExpectation({
    traceId: traceIds[4]!,
    name: 'expected_answer',
    value: 'Prices from the catalog',
  });
  await tracker.shutdown();
  return {
    experimentId: await tracker.experimentId(),
    runId,
    traceIds,
    shortTraceId: traceIds[0]!,
  };
}

/** `seedStore`'s `traces` support-agent traces and, an hour before them, the docs agent's. */
export function seedWithDocs(
  traces: number,
): (store: TrackingStore) => Promise<Seeded & { docs: SeededDocs }> {
  return async (store) => {
    const seeded = await seedStore(store, { traces });
    return { ...seeded, docs: await seedDocsAgent(store, seeded.firstTime - 3_600_000) };
  };
}
