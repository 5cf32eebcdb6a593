import { memoryStore, type TraceInfo } from '@graphtrace/core';
import { describe, expect, it } from 'vitest';
import type { SpanView } from '../src/api/types.js';
import { spanViews } from '../src/api/views.js';
import { firstInputOf, firstUserMessage } from '../src/queries/first-input.js';
import { compactArguments } from '../src/queries/tool-arguments.js';
import { deriveStory, type ModelStep, questionOf, type ToolStep } from '../web/src/story.js';
import { traceViewOf } from '../web/src/trace-view.js';
import { ANSWER, QUESTION, seedStory, TOOL_ERROR } from './helpers/seed-story.js';

/** A span view with defaults: OK, no attributes, 10 ms long. */
function span(
  fields: Partial<SpanView> & { spanId: string; name: string; spanType: string },
): SpanView {
  return {
    parentSpanId: null,
    startNs: '0',
    endNs: '0',
    offsetMs: 0,
    durationMs: 10,
    status: { code: 'OK' },
    attributes: {},
    events: [],
    links: [],
    tokens: null,
    model: null,
    provider: null,
    cost: null,
    ...fields,
  };
}

const completion = (message: Record<string, unknown>) => ({
  object: 'chat.completion',
  choices: [{ index: 0, message }],
});
const toolCall = (id: string, name: string, args: unknown) => ({
  id,
  type: 'function',
  function: { name, arguments: JSON.stringify(args) },
});

describe('the story of a ReAct agent (seeded in autolog’s shapes)', async () => {
  const store = memoryStore();
  const seeded = await seedStory(store);
  const trace = (await store.getTrace(seeded.traceId))!;
  const story = deriveStory(spanViews(trace.spans));

  it('opens on the question', () => {
    expect(story.conversation?.map((m) => [m.role, m.content])).toEqual([['user', QUESTION]]);
    expect(questionOf(story)).toBe(QUESTION);
  });

  it('tells each model call with its tool calls, each tied to its TOOL span', () => {
    const models = story.steps as ModelStep[];
    expect(models.map((s) => [s.kind, s.spanId, s.text])).toEqual([
      ['model', seeded.spans.models[0], 'Let me look that up.'],
      ['model', seeded.spans.models[1], null],
    ]);
    const [first, second] = models.map((m) => m.toolCalls);
    expect(first).toEqual([
      {
        id: 'call_0_0',
        name: 'get_weather',
        arguments: { city: 'Pariss' },
        modelSpanId: seeded.spans.models[0],
        runs: [
          {
            spanId: seeded.spans.failedTool,
            name: 'get_weather',
            durationMs: 80,
            error: TOOL_ERROR,
          },
        ],
        reply: null,
      },
    ]);
    expect(second![0]).toMatchObject({
      id: 'call_1_0',
      arguments: { city: 'Paris' },
      modelSpanId: seeded.spans.models[1],
      runs: [
        {
          spanId: seeded.spans.retriedTool,
          error: null,
          result: { temperature_c: 18, conditions: 'sunny' },
        },
      ],
    });
  });

  it('ends on the answer, from the last model call', () => {
    expect(story.answer).toEqual({ text: ANSWER, spanId: seeded.spans.models[2], fromModel: true });
    expect(story.failure).toBeNull();
  });

  it('tells a hand-written trace too: root inputs, tool and LLM spans in order, root output', async () => {
    const manual = deriveStory(spanViews((await store.getTrace(seeded.manualTraceId))!.spans));
    expect(manual.conversation).toBeNull();
    expect(manual.input).toEqual({ question: 'Refunds?' });
    expect(manual.steps.map((s) => s.kind)).toEqual(['tool', 'model']);
    const tool = manual.steps[0] as ToolStep;
    expect(tool.run.name).toBe('search_docs');
    expect(tool.run.result).toEqual([{ title: 'Refunds', text: 'Within 30 days.' }]);
    const llm = manual.steps[1] as ModelStep;
    expect(llm.text).toBe('Refunds are accepted within 30 days.');
    expect(llm.prompt).toMatch(/^Answer from /);
    // The root returned more than the LLM's words: that is the answer.
    expect(manual.answer).toMatchObject({
      text: null,
      value: { answer: 'Refunds are accepted within 30 days.', sources: 1 },
      fromModel: false,
    });
  });
});

describe('deriveStory on partial and odd records', () => {
  it('is empty, not broken, without spans', () => {
    expect(deriveStory([])).toEqual({
      rootSpanId: null,
      conversation: null,
      steps: [],
      answer: null,
      failure: null,
    });
  });

  it('gathers a call run twice (a retry policy) and matches calls without ids by name and order', () => {
    const spans = [
      span({
        spanId: 'root',
        name: 'graph',
        spanType: 'AGENT',
        inputs: { messages: [{ role: 'user', content: 'go' }] },
      }),
      span({
        spanId: 'm1',
        parentSpanId: 'root',
        name: 'model',
        spanType: 'CHAT_MODEL',
        offsetMs: 1,
        inputs: { messages: [{ role: 'user', content: 'go' }] },
        outputs: completion({
          role: 'assistant',
          content: '',
          tool_calls: [toolCall('c1', 'flaky', { n: 1 }), { name: 'plain', args: { x: 2 } }],
        }),
      }),
      span({
        spanId: 't1',
        parentSpanId: 'root',
        name: 'flaky',
        spanType: 'TOOL',
        offsetMs: 2,
        attributes: { tool_call_id: 'c1' },
        status: { code: 'ERROR', message: 'Error: timeout' },
      }),
      span({
        spanId: 't2',
        parentSpanId: 'root',
        name: 'flaky',
        spanType: 'TOOL',
        offsetMs: 3,
        attributes: { tool_call_id: 'c1' },
        outputs: 'done',
      }),
      span({
        spanId: 't3',
        parentSpanId: 'root',
        name: 'plain',
        spanType: 'TOOL',
        offsetMs: 4,
        outputs: '{"ok":true}',
      }),
      // A model call inside a tool is the tool's detail, not a step of the story.
      span({
        spanId: 'inner',
        parentSpanId: 't3',
        name: 'sub-model',
        spanType: 'LLM',
        offsetMs: 5,
      }),
    ];
    const story = deriveStory(spans);
    expect(story.steps).toHaveLength(1);
    const [flaky, plain] = (story.steps[0] as ModelStep).toolCalls;
    expect(flaky!.runs.map((r) => [r.spanId, r.error, r.result])).toEqual([
      ['t1', 'Error: timeout', undefined],
      ['t2', null, 'done'],
    ]);
    expect(plain!.runs.map((r) => [r.spanId, r.result])).toEqual([['t3', { ok: true }]]);
    expect(story.answer).toBeNull();
  });

  it('shows what the model was told when no TOOL span ran a call', () => {
    const ask = { role: 'assistant', content: '', tool_calls: [toolCall('c9', 'lookup', {})] };
    const spans = [
      // A root that recorded no output: the last model call's words are the answer.
      span({
        spanId: 'root',
        name: 'chain',
        spanType: 'CHAIN',
        inputs: [{ type: 'human', content: 'q' }],
      }),
      span({
        spanId: 'm1',
        parentSpanId: 'root',
        name: 'model',
        spanType: 'CHAT_MODEL',
        inputs: { messages: [{ role: 'user', content: 'q' }] },
        outputs: completion(ask),
      }),
      span({
        spanId: 'm2',
        parentSpanId: 'root',
        name: 'model',
        spanType: 'CHAT_MODEL',
        offsetMs: 20,
        inputs: {
          messages: [
            { role: 'user', content: 'q' },
            ask,
            { role: 'tool', tool_call_id: 'c9', content: '42' },
          ],
        },
        outputs: completion({ role: 'assistant', content: 'It is 42.' }),
      }),
    ];
    const story = deriveStory(spans);
    expect(questionOf(story)).toBe('q');
    expect((story.steps[0] as ModelStep).toolCalls[0]).toMatchObject({ runs: [], reply: '42' });
    expect(story.answer).toEqual({ text: 'It is 42.', spanId: 'm2', fromModel: true });
  });

  it('tells a trace of one model call: its prompt as the conversation, its reply as the answer', () => {
    const story = deriveStory([
      span({
        spanId: 'm',
        name: 'ChatAnthropic',
        spanType: 'CHAT_MODEL',
        inputs: { messages: [{ role: 'user', content: 'Hello?' }] },
        outputs: completion({ role: 'assistant', content: 'Hi!' }),
      }),
    ]);
    expect(questionOf(story)).toBe('Hello?');
    expect(story.steps).toEqual([]);
    expect(story.answer).toEqual({ text: 'Hi!', spanId: 'm', fromModel: true });
  });

  it('names where a failed trace failed', () => {
    const spans = [
      span({ spanId: 'root', name: 'agent', spanType: 'AGENT', status: { code: 'ERROR' } }),
      span({
        spanId: 'm1',
        parentSpanId: 'root',
        name: 'ChatOpenAI',
        spanType: 'CHAT_MODEL',
        status: { code: 'ERROR', message: 'boom' },
        events: [
          {
            name: 'exception',
            offsetMs: 1,
            attributes: { 'exception.type': 'RateLimitError', 'exception.message': 'slow down' },
          },
        ],
      }),
    ];
    const story = deriveStory(spans);
    expect(story.failure).toEqual({
      spanId: 'm1',
      name: 'ChatOpenAI',
      error: 'RateLimitError: slow down',
    });
    expect((story.steps[0] as ModelStep).error).toBe('RateLimitError: slow down');
    expect(story.answer).toBeNull();
  });

  it('reads a root answer from LangGraph state when the last model call said something else', () => {
    const spans = [
      span({
        spanId: 'root',
        name: 'graph',
        spanType: 'AGENT',
        outputs: { messages: [{ role: 'assistant', content: 'Final, edited.' }] },
      }),
      span({
        spanId: 'm1',
        parentSpanId: 'root',
        name: 'model',
        spanType: 'CHAT_MODEL',
        outputs: completion({ role: 'assistant', content: 'Draft.' }),
      }),
    ];
    const story = deriveStory(spans);
    expect(story.steps.map((s) => (s as ModelStep).text)).toEqual(['Draft.']);
    expect(story.answer).toEqual({ text: 'Final, edited.', spanId: 'root', fromModel: false });
  });
});

describe('which view a trace opens on', () => {
  const p = (q: string) => new URLSearchParams(q);
  it('the story, unless asked for the tree, linked to a span, or the trace failed', () => {
    expect(traceViewOf(p(''), 'OK')).toBe('story');
    expect(traceViewOf(p('view=tree'), 'OK')).toBe('tree');
    expect(traceViewOf(p('span=abc'), 'OK')).toBe('tree');
    expect(traceViewOf(p(''), 'ERROR')).toBe('tree');
    expect(traceViewOf(p('view=story'), 'ERROR')).toBe('story');
    expect(traceViewOf(p('view=nonsense'), 'IN_PROGRESS')).toBe('story');
  });
});

describe('first inputs and tool arguments (API helpers)', () => {
  const info = (metadata: Record<string, string>, requestPreview: string | null): TraceInfo => ({
    traceId: 'tr-1',
    clientRequestId: null,
    experimentId: '1',
    requestTime: 0,
    executionDuration: 1,
    state: 'OK',
    requestPreview,
    responsePreview: null,
    traceMetadata: metadata,
    tags: {},
  });

  it('finds the first user message in OpenAI, LangChain and serialized shapes', () => {
    expect(
      firstUserMessage({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'First' }] },
          { role: 'user', content: 'Second' },
        ],
      }),
    ).toBe('First');
    expect(firstUserMessage([[{ type: 'human', content: 'batched' }]])).toBe('batched');
    expect(
      firstUserMessage([
        { lc: 1, type: 'constructor', id: ['x', 'HumanMessage'], kwargs: { content: 'lc' } },
      ]),
    ).toBe('lc');
    expect(firstUserMessage({ question: 'no messages' })).toBeNull();
  });

  it('falls back to the request preview when the recorded inputs were cut short', () => {
    const cut = '{"messages":[{"role":"user","content":"a very long que...';
    expect(firstInputOf(info({ 'mlflow.traceInputs': cut }, 'a very long question'))).toBe(
      'a very long question',
    );
    expect(
      firstInputOf(
        info(
          { 'mlflow.traceInputs': '{"messages":[{"role":"user","content":"Hi"}]}' },
          'Later message',
        ),
      ),
    ).toBe('Hi');
    expect(firstInputOf(info({}, null))).toBeNull();
    expect(firstInputOf(info({}, 'x'.repeat(500)))).toHaveLength(200);
  });

  it('prints arguments as compact JSON, cut with an ellipsis', () => {
    expect(compactArguments({ city: 'Paris' })).toBe('{"city":"Paris"}');
    expect(compactArguments('{ "a" : 1 }')).toBe('{"a":1}');
    expect(compactArguments('plain text')).toBe('plain text');
    expect(compactArguments(undefined)).toBeNull();
    const long = compactArguments({ q: 'x'.repeat(1000) })!;
    expect(long).toHaveLength(300);
    expect(long.endsWith('…')).toBe(true);
  });
});
