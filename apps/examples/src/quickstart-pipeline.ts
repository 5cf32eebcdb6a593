import { SpanType, type Tracker } from '@graphtrace/core';

/**
 * A small question-answering pipeline traced by hand: retrieve → answer with a (scripted)
 * model → check. Deterministic and offline.
 */
const DOCS = [
  { id: 'doc-1', text: 'graphtrace writes MLflow 3.9 traces into sqlite:///mlflow.db.' },
  { id: 'doc-2', text: 'A LangGraph agent is a graph of nodes; each node becomes a span.' },
  { id: 'doc-3', text: 'Token usage is summed over the model calls of a trace.' },
];

export function buildPipeline(tracker: Tracker) {
  const retrieve = tracker.trace(
    async function retrieve(query: string) {
      const words = query
        .toLowerCase()
        .split(/\W+/)
        .filter((w) => w.length > 3);
      return DOCS.filter((d) => words.some((w) => d.text.toLowerCase().includes(w)));
    },
    { spanType: SpanType.RETRIEVER },
  );

  const answer = (question: string, context: { id: string; text: string }[]) =>
    tracker.withSpan({ name: 'scripted-model', spanType: SpanType.CHAT_MODEL }, async (span) => {
      const messages = [
        {
          role: 'system',
          content: `Answer from the context: ${context.map((d) => d.text).join(' ')}`,
        },
        { role: 'user', content: question },
      ];
      span.setInputs({ messages });
      const content = context[0]?.text ?? 'I do not know.';
      span.setAttribute('mlflow.chat.tokenUsage', {
        input_tokens: 42,
        output_tokens: 12,
        total_tokens: 54,
      });
      span.setOutputs({ role: 'assistant', content });
      return content;
    });

  const check = tracker.trace(
    function check(text: string) {
      return {
        grounded: text.includes('graphtrace') || text.includes('span') || text.includes('Token'),
      };
    },
    { spanType: SpanType.GUARDRAIL },
  );

  return tracker.trace(
    async function ask(question: string) {
      const context = await retrieve(question);
      const text = await answer(question, context);
      return { text, ...check(text) };
    },
    { spanType: SpanType.AGENT },
  );
}
