import { HumanMessage } from '@langchain/core/messages';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { afterEach, describe, expect, it } from 'vitest';
import { autolog, currentRunSpan } from '../src/index.js';
import { ScriptedChatModel } from '../src/testing/index.js';
import { inputsOf, outputsOf, setup, sleep, tree } from './helpers.js';

const Text = Annotation.Root({ text: Annotation<string>() });

describe('nesting with spans of your own', () => {
  afterEach(() => {
    autolog({ disable: true });
  });

  it('a graph invoked inside your span nests under it, in one trace', async () => {
    const { tracker, only } = setup();
    autolog(tracker);
    const graph = new StateGraph(Text)
      .addNode('shout', (s) => ({ text: s.text.toUpperCase() }))
      .addEdge(START, 'shout')
      .addEdge('shout', END)
      .compile();
    await tracker.withSpan({ name: 'handle-request', spanType: 'AGENT' }, async () => {
      await graph.invoke({ text: 'hi' });
      await graph.invoke({ text: 'again' });
    });
    const { spans, info } = await only();
    expect(tree(spans)).toEqual([
      'handle-request [AGENT] OK',
      '  LangGraph [CHAIN] OK',
      '    shout [CHAIN] OK',
      '  LangGraph [CHAIN] OK',
      '    shout [CHAIN] OK',
    ]);
    // Steps of both graphs add up on the one trace.
    expect(info.traceMetadata['graphtrace.agent.steps']).toBe('2');
  });

  it('currentRunSpan() inside a node is the node span: parent spans you start by hand', async () => {
    const { tracker, only } = setup();
    autolog(tracker);
    const graph = new StateGraph(Text)
      .addNode('work', async (s) => {
        const span = tracker.startSpan({
          name: 'lookup',
          spanType: 'TOOL',
          parent: currentRunSpan(),
        });
        span.end({ outputs: 'found' });
        return { text: `${s.text}!` };
      })
      .addEdge(START, 'work')
      .addEdge('work', END)
      .compile();
    await graph.invoke({ text: 'x' });
    expect(currentRunSpan()).toBeNull();
    expect(tree((await only()).spans)).toEqual([
      'LangGraph [CHAIN] OK',
      '  work [CHAIN] OK',
      '    lookup [TOOL] OK',
    ]);
  });

  it("withSpan()/trace() inside a node nest under the node's span, model calls under them", async () => {
    const { tracker, only } = setup();
    autolog(tracker);
    const model = new ScriptedChatModel({ script: [{ content: 'ok' }] });
    const format = tracker.trace(function format(text: string) {
      return `<${text}>`;
    });
    const graph = new StateGraph(Text)
      .addNode('work', async (s) => {
        const answer = await tracker.withSpan({ name: 'my-step' }, async () => {
          const inner = await tracker.withSpan({ name: 'inner' }, async () => 'deep');
          return `${inner}:${(await model.invoke([new HumanMessage(s.text)])).content}`;
        });
        return { text: format(answer) };
      })
      .addEdge(START, 'work')
      .addEdge('work', END)
      .compile();
    await tracker.withSpan({ name: 'outer' }, () => graph.invoke({ text: 'x' }));
    const { spans } = await only();
    expect(tree(spans)).toEqual([
      'outer [UNKNOWN] OK',
      '  LangGraph [CHAIN] OK',
      '    work [CHAIN] OK',
      '      my-step [UNKNOWN] OK',
      '        inner [UNKNOWN] OK',
      '        ScriptedChatModel [CHAT_MODEL] OK',
      '      format [UNKNOWN] OK', // trace()'s default type, as MLflow's SDK has it
    ]);
    expect(outputsOf(spans.find((s) => s.name === 'LangGraph')!)).toEqual({ text: '<deep:ok>' });
  });

  it('concurrent invocations keep spans opened in nodes in their own traces', async () => {
    const { tracker, traces } = setup();
    autolog(tracker);
    const graph = new StateGraph(Text)
      .addNode('work', async (s) => {
        await sleep(Number(s.text) % 5);
        return tracker.withSpan({ name: `mine-${s.text}` }, async () => {
          await sleep(1);
          return { text: `${s.text}!` };
        });
      })
      .addEdge(START, 'work')
      .addEdge('work', END)
      .compile();
    await Promise.all(Array.from({ length: 20 }, (_, i) => graph.invoke({ text: String(i) })));
    const all = await traces();
    expect(all).toHaveLength(20);
    for (const t of all) {
      const root = t.spans.find((s) => s.parentSpanId === null)!;
      const n = (inputsOf(root) as { text: string }).text;
      expect(tree(t.spans)).toEqual([
        'LangGraph [CHAIN] OK',
        '  work [CHAIN] OK',
        `    mine-${n} [UNKNOWN] OK`,
      ]);
    }
  });
});
