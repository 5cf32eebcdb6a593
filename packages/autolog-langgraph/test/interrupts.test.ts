import {
  Annotation,
  Command,
  END,
  interrupt,
  MemorySaver,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { STEPS_METADATA_KEY } from '../src/index.js';
import { inputsOf, one, outputsOf, setup, tree } from './helpers.js';

const Draft = Annotation.Root({
  text: Annotation<string>(),
  approved: Annotation<boolean>(),
});

function approvalGraph() {
  return new StateGraph(Draft)
    .addNode('write', () => ({ text: 'draft v1' }))
    .addNode('review', (s) => {
      const answer = interrupt({ question: 'approve?', text: s.text }) as { ok: boolean };
      return { approved: answer.ok };
    })
    .addNode('publish', () => ({}))
    .addEdge(START, 'write')
    .addEdge('write', 'review')
    .addEdge('review', 'publish')
    .addEdge('publish', END)
    .compile({ checkpointer: new MemorySaver() });
}

describe('interrupts and resume (MemorySaver)', () => {
  it('the interrupted run and the resumed run are two OK traces of one session', async () => {
    const { handler, traces } = setup();
    const graph = approvalGraph();
    const config = { configurable: { thread_id: 'thread-42' }, callbacks: [handler] };

    const paused = await graph.invoke({ text: '', approved: false }, config);
    expect((paused as { __interrupt__?: unknown[] }).__interrupt__).toHaveLength(1);
    const resumed = await graph.invoke(new Command({ resume: { ok: true } }), config);
    expect(resumed.approved).toBe(true);

    const [first, second] = await traces();
    expect(tree(first!.spans)).toEqual([
      'LangGraph [CHAIN] OK',
      '  write [CHAIN] OK',
      '  review [CHAIN] OK',
    ]);
    const review = one(first!.spans, 'review');
    expect(review.attributes['langgraph.interrupted']).toBe(true);
    expect(review.events).toHaveLength(1);
    expect(review.events[0]!.name).toBe('interrupt');
    expect(JSON.stringify(review.events[0]!.attributes)).toContain('approve?');
    expect(first!.info.state).toBe('OK');
    expect(first!.info.traceMetadata[STEPS_METADATA_KEY]).toBe('2');

    expect(tree(second!.spans)).toEqual([
      'LangGraph [CHAIN] OK',
      '  review [CHAIN] OK',
      '  publish [CHAIN] OK',
    ]);
    expect(inputsOf(one(second!.spans, 'LangGraph'))).toEqual({
      Command: { resume: { ok: true }, goto: [] },
    });
    expect(outputsOf(one(second!.spans, 'LangGraph'))).toMatchObject({ approved: true });
    for (const t of [first!, second!])
      expect(t.info.traceMetadata['mlflow.trace.session']).toBe('thread-42');
  });
});
