import {
  createTracker,
  type LiveSpan,
  manualClock,
  SpanType,
  silentLogger,
  type TrackingStore,
} from '@graphtrace/core';

/*
 * Traces whose costs are known exactly, written by graphtrace's own tracker (which prices them
 * from MLflow's model catalog) into their own experiment: gpt-4o-mini through OpenAI, 1,000
 * input and 500 output tokens a call, costs exactly $0.00015 + $0.0003 = $0.00045; the
 * in-house model has no price, so its calls and the trace calling only it have no cost.
 */

export const COST_EXPERIMENT = 'pricing-check';
/** What core records for one gpt-4o-mini call of 1,000 in / 500 out. */
export const MINI_CALL_COST = { input_cost: 0.00015, output_cost: 0.0003, total_cost: 0.00045 };

export interface SeededCosts {
  experimentId: string;
  /** One gpt-4o-mini call. */
  pricedTraceId: string;
  /** One gpt-4o-mini call and one in-house-model call. */
  mixedTraceId: string;
  /** One in-house-model call: no cost at all. */
  unpricedTraceId: string;
  /** ms since epoch of the first and last trace, all within one minute. */
  firstTime: number;
  lastTime: number;
}

const MINI = { 'mlflow.llm.model': 'gpt-4o-mini', 'mlflow.llm.provider': 'openai' };
const IN_HOUSE = { 'mlflow.llm.model': 'in-house-model', 'mlflow.llm.provider': 'acme' };
const USAGE = {
  'mlflow.chat.tokenUsage': { input_tokens: 1000, output_tokens: 500, total_tokens: 1500 },
};

/** Three traces 10 s apart, starting 10 s into the minute that starts at `minute`. */
export async function seedCosts(store: TrackingStore, minute: number): Promise<SeededCosts> {
  const clock = manualClock(minute + 10_000);
  const tracker = createTracker({
    store,
    experimentName: COST_EXPERIMENT,
    clock,
    logger: silentLogger,
    handleExitSignals: false,
  });
  const call = (name: string, attributes: Record<string, unknown>) =>
    tracker.withSpan({ name, spanType: SpanType.CHAT_MODEL }, (span: LiveSpan) => {
      clock.advance(400);
      span.setAttributes({ ...attributes, ...USAGE });
      return 'ok';
    });
  const agent = (name: string, calls: Record<string, unknown>[]) =>
    tracker.withSpan({ name, spanType: SpanType.AGENT }, async (root: LiveSpan) => {
      for (const attributes of calls) await call('ChatModel', attributes);
      clock.advance(10_000);
      return root.traceId;
    });

  const pricedTraceId = await agent('priced_agent', [MINI]);
  const mixedTraceId = await agent('mixed_agent', [MINI, IN_HOUSE]);
  const unpricedTraceId = await agent('unpriced_agent', [IN_HOUSE]);
  await tracker.shutdown();
  const experimentId = await tracker.experimentId();
  const infos = await Promise.all(
    [pricedTraceId, mixedTraceId, unpricedTraceId].map((id) => store.getTraceInfo(id)),
  );
  const times = infos.map((t) => t!.requestTime);
  return {
    experimentId,
    pricedTraceId,
    mixedTraceId,
    unpricedTraceId,
    firstTime: Math.min(...times),
    lastTime: Math.max(...times),
  };
}
