import {
  createTracker,
  type LiveSpan,
  manualClock,
  type Span,
  SpanType,
  silentLogger,
  type TrackingStore,
} from '@graphtrace/core';

/*
 * Five traces for the trace list's columns, one a minute from `start` + 10 s, in their own
 * experiment: costs and token counts that sort differently (gpt-4o-mini is priced from
 * MLflow's catalog at $0.15 / $0.60 per million tokens; the in-house model has no price), a
 * trace that recovered from a failed tool call (graphtrace counts it), one written the way
 * another SDK would (no graphtrace counters, so its failed tool is found in its spans), and
 * feedback and an expectation.
 */

export const LIST_EXPERIMENT = 'trace-list';
/** In start order. */
export const LIST_NAMES = [
  'cheap_agent',
  'pricey_agent',
  'unpriced_agent',
  'recovering_agent',
  'foreign_agent',
] as const;
/** Most expensive first; the unpriced trace last. */
export const BY_COST = [
  'pricey_agent',
  'foreign_agent',
  'recovering_agent',
  'cheap_agent',
  'unpriced_agent',
];
/** Most tokens first. */
export const BY_TOKENS = [
  'pricey_agent',
  'unpriced_agent',
  'recovering_agent',
  'foreign_agent',
  'cheap_agent',
];
export const RECOVERED_ANSWER = 'Order 42 ships tomorrow';

export interface SeededList {
  experimentId: string;
  /** By name. */
  ids: Record<(typeof LIST_NAMES)[number], string>;
  /** ms since epoch of each trace, in start order. */
  times: number[];
}

const MINI = { 'mlflow.llm.model': 'gpt-4o-mini', 'mlflow.llm.provider': 'openai' };
const IN_HOUSE = { 'mlflow.llm.model': 'in-house-model', 'mlflow.llm.provider': 'acme' };

export async function seedTraceList(store: TrackingStore, start: number): Promise<SeededList> {
  const clock = manualClock(start + 10_000);
  const tracker = createTracker({
    store,
    experimentName: LIST_EXPERIMENT,
    clock,
    logger: silentLogger,
    handleExitSignals: false,
    logAgentMetrics: true,
  });
  const model = (attrs: Record<string, unknown>, input: number, output: number) =>
    tracker.withSpan({ name: 'ChatModel', spanType: SpanType.CHAT_MODEL }, (span: LiveSpan) => {
      clock.advance(300);
      span.setAttributes({
        ...attrs,
        'mlflow.chat.tokenUsage': {
          input_tokens: input,
          output_tokens: output,
          total_tokens: input + output,
        },
      });
      return 'ok';
    });
  let started = 0;
  /** The next trace, at its minute: its root span's answer is the trace's response. */
  const agent = async (name: string, question: string, body: () => Promise<string>) => {
    clock.advance(start + 10_000 + 60_000 * started++ - clock.nowMs());
    let traceId = '';
    await tracker.withSpan(
      { name, spanType: SpanType.AGENT, inputs: { question } },
      async (root: LiveSpan) => {
        traceId = root.traceId;
        return { answer: await body() };
      },
    );
    return traceId;
  };

  const cheap = await agent('cheap_agent', 'Say hi', async () => {
    await model(MINI, 100, 10);
    return 'Hi there!';
  });
  const pricey = await agent('pricey_agent', 'Write the quarterly report', async () => {
    await model(MINI, 20_000, 5_000);
    return 'Quarterly report: revenue up 12%';
  });
  const unpriced = await agent('unpriced_agent', 'Summarise the wiki', async () => {
    await model(IN_HOUSE, 8_000, 2_000);
    return 'The wiki, in short';
  });
  const recovering = await agent('recovering_agent', 'Where is order 42?', async () => {
    await model(MINI, 2_000, 300);
    const lookup = (id: string) =>
      tracker.withSpan({ name: 'lookup_order', spanType: SpanType.TOOL, inputs: { id } }, () => {
        clock.advance(50);
        if (id !== '42') throw new Error(`no order ${id}`);
        return { status: 'ships tomorrow' };
      });
    try {
      lookup('4 2'); // a typo: the tool fails, and the agent tries again
    } catch {}
    lookup('42');
    return RECOVERED_ANSWER;
  });
  await tracker.flushTraces();

  const experimentId = await tracker.experimentId();
  const foreign = await writeForeignTrace(store, experimentId, start + 10_000 + 4 * 60_000);

  await tracker.logFeedback({
    traceId: cheap,
    name: 'user_feedback',
    value: false,
    rationale: 'Too short',
    source: { sourceType: 'HUMAN', sourceId: 'ada' },
  });
  await tracker.logFeedback({
    traceId: pricey,
    name: 'user_feedback',
    value: true,
    source: { sourceType: 'HUMAN', sourceId: 'ada' },
  });
  await tracker.logFeedback({
    traceId: pricey,
    name: 'helpfulness',
    value: 4,
    source: { sourceType: 'LLM_JUDGE', sourceId: 'judge' },
  });
  await tracker.logExpectation({
    traceId: recovering,
    name: 'expected_answer',
    value: 'ships tomorrow',
  });
  await tracker.shutdown();

  const ids = {
    cheap_agent: cheap,
    pricey_agent: pricey,
    unpriced_agent: unpriced,
    recovering_agent: recovering,
    foreign_agent: foreign,
  };
  const infos = await Promise.all(LIST_NAMES.map((n) => store.getTraceInfo(ids[n])));
  return { experimentId, ids, times: infos.map((i) => i!.requestTime) };
}

/**
 * A trace as another SDK writes it: MLflow's token usage and cost metadata but no graphtrace
 * counters; it ended OK although one of its tool calls failed.
 */
async function writeForeignTrace(
  store: TrackingStore,
  experimentId: string,
  time: number,
): Promise<string> {
  const traceId = 'tr-f0000000000000000000000000000001';
  const ns = (ms: number) => BigInt(time + ms) * 1_000_000n;
  const span = (spanId: string, parent: string | null, type: string, error: boolean): Span => ({
    traceId,
    spanId,
    parentSpanId: parent,
    name: parent ? 'check_stock' : 'foreign_agent',
    spanType: type,
    startTimeUnixNano: ns(parent ? (error ? 10 : 60) : 0),
    endTimeUnixNano: ns(parent ? (error ? 50 : 90) : 100),
    status: error ? { code: 'ERROR', message: 'TimeoutError: stock service' } : { code: 'OK' },
    attributes: { 'mlflow.traceRequestId': traceId },
    events: [],
  });
  const root = '00000000000000f1';
  await store.logSpans(experimentId, [
    span(root, null, SpanType.AGENT, false),
    span('00000000000000f2', root, SpanType.TOOL, true),
    span('00000000000000f3', root, SpanType.TOOL, false),
  ]);
  await store.startTrace({
    traceId,
    clientRequestId: null,
    experimentId,
    requestTime: time,
    executionDuration: 100,
    state: 'OK',
    requestPreview: '{"question": "Check stock"}',
    responsePreview: '{"answer": "In stock (after a retry)"}',
    tags: { 'mlflow.traceName': 'foreign_agent' },
    traceMetadata: {
      'mlflow.trace.tokenUsage': '{"input_tokens": 400, "output_tokens": 100, "total_tokens": 500}',
      'mlflow.trace.cost': '{"input_cost": 0.001, "output_cost": 0.0005, "total_cost": 0.0015}',
    },
  });
  return traceId;
}
