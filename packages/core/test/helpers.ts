import {
  createTracker,
  memoryLogger,
  memoryStore,
  type Span,
  type TrackerOptions,
} from '../src/index.js';

export function setup(options: Partial<TrackerOptions> = {}) {
  const store = memoryStore();
  const logger = memoryLogger();
  const tracker = createTracker({
    store,
    experimentName: 'tests',
    logger,
    handleExitSignals: false,
    ...options,
  });
  const traces = async () => {
    await tracker.flushTraces();
    const { items: traces } = await store.searchTraces({
      experimentIds: [await tracker.experimentId()],
      maxResults: 1000,
    });
    return traces;
  };
  const spansOf = async (traceId: string) => (await store.getTrace(traceId))!.spans;
  return { store, logger, tracker, traces, spansOf };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `name(parent)` lines, for comparing tree shapes. */
export function shape(spans: Span[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  return spans
    .map((s) => `${s.name}<${s.parentSpanId ? (byId.get(s.parentSpanId)?.name ?? '?') : 'root'}`)
    .sort();
}
