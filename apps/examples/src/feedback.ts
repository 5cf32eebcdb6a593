import { resolve } from 'node:path';
import { autolog } from '@graphtrace/autolog-langgraph';
import { createTracker } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { HumanMessage } from '@langchain/core/messages';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { chatModel, reactAgentScript } from './lib/model.js';
import { calculatorTool, searchDocsTool } from './lib/tools.js';

/**
 * Example 6: quality feedback. Each answer gets MLflow assessments — a reviewer's thumbs up or
 * down with a rationale, a score from an automatic check, and the expected answer — which are
 * then read back and summarised per name.
 */
const dbPath = resolve(process.env.GRAPHTRACE_DB ?? 'mlflow.db');
const store = sqliteStore({ path: dbPath });
const tracker = createTracker({ store, experimentName: 'graphtrace-feedback' });
const tracing = autolog({ tracker });
const { model } = await chatModel(reactAgentScript);
const agent = createReactAgent({
  llm: model,
  tools: [searchDocsTool, calculatorTool],
  name: 'docs_agent',
});

const questions = [
  'Where does graphtrace write its traces, and what is 6 × (3 + 4)?',
  'What is 6 × (3 + 4), and where do traces go?',
];
const traceIds: string[] = [];
for (const q of questions) {
  const result = await agent.invoke({ messages: [new HumanMessage(q)] });
  await tracker.flushTraces();
  const { items: traces } = await store.searchTraces({
    experimentIds: [await tracker.experimentId()],
    maxResults: 1,
  });
  const traceId = traces[0]!.traceId;
  traceIds.push(traceId);
  const answer = String(result.messages[result.messages.length - 1]?.content);
  const correct = answer.includes('42');
  await tracker.logFeedback({
    traceId,
    name: 'helpful',
    value: correct,
    rationale: correct ? 'answers both parts' : 'misses the arithmetic',
  });
  await tracker.logFeedback({
    traceId,
    name: 'answer_length_ok',
    value: answer.length < 400 ? 1 : 0,
    source: { sourceType: 'CODE', sourceId: 'length-check' },
  });
  await tracker.logExpectation({
    traceId,
    name: 'expected_answer',
    value: { contains: ['mlflow.db', '42'] },
  });
}

console.log('assessments, read back from the store:');
const perName = new Map<string, unknown[]>();
for (const traceId of traceIds) {
  for (const a of await store.getAssessments(traceId)) {
    console.log(
      `  ${traceId}  ${a.kind.padEnd(11)} ${a.name.padEnd(16)} ${JSON.stringify(a.value)}  (${a.source.sourceType}${a.rationale ? `: ${a.rationale}` : ''})`,
    );
    perName.set(a.name, [...(perName.get(a.name) ?? []), a.value]);
  }
}
console.log('\nper name:');
for (const [name, values] of perName) {
  const numeric = values
    .map((v) => (typeof v === 'boolean' ? Number(v) : v))
    .filter((v): v is number => typeof v === 'number');
  const mean = numeric.length
    ? (numeric.reduce((a, b) => a + b, 0) / numeric.length).toFixed(2)
    : '—';
  console.log(`  ${name.padEnd(16)} ${values.length} assessment(s), mean ${mean}`);
}
tracing.disable();
await tracker.shutdown();
await store.close();
