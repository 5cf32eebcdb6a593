import {
  createTracker,
  memoryLogger,
  memoryStore,
  type Span,
  type Trace,
  type TrackerOptions,
} from '@graphtrace/core';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { GraphtraceCallbackHandler } from '../src/index.js';

export function setup(options: Partial<TrackerOptions> = {}) {
  const store = memoryStore();
  const logger = memoryLogger();
  const tracker = createTracker({
    store,
    experimentName: 'autolog-tests',
    logger,
    handleExitSignals: false,
    ...options,
  });
  const handler = new GraphtraceCallbackHandler(tracker);
  /** Every trace in the store, oldest first, with its spans. */
  const traces = async (): Promise<Trace[]> => {
    await tracker.flushTraces();
    const { items: infos } = await store.searchTraces({
      experimentIds: [await tracker.experimentId()],
      maxResults: 1000,
      orderBy: ['timestamp_ms ASC'],
    });
    const out: Trace[] = [];
    for (const info of infos) out.push((await store.getTrace(info.traceId))!);
    // Traces can start within one millisecond: order by the root span's ns start time instead.
    const start = (t: Trace) =>
      t.spans.find((s) => s.parentSpanId === null)?.startTimeUnixNano ?? 0n;
    return out.sort((a, b) => (start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : 0));
  };
  const only = async (): Promise<Trace> => {
    const all = await traces();
    if (all.length !== 1) throw new Error(`expected one trace, found ${all.length}`);
    return all[0]!;
  };
  const warnings = () => logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  return { store, logger, tracker, handler, traces, only, warnings };
}

/**
 * The span tree as indented `name [TYPE] STATUS` lines, children in start order (ties by name),
 * so a whole tree can be compared at once.
 */
export function tree(spans: readonly Span[], order: 'start' | 'name' = 'start'): string[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, Span[]>();
  for (const s of spans) {
    const p = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    children.set(p, [...(children.get(p) ?? []), s]);
  }
  const cmp = (a: Span, b: Span) =>
    order === 'name'
      ? a.name.localeCompare(b.name) || (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1)
      : a.startTimeUnixNano === b.startTimeUnixNano
        ? a.name.localeCompare(b.name)
        : a.startTimeUnixNano < b.startTimeUnixNano
          ? -1
          : 1;
  const lines: string[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const s of [...(children.get(parent) ?? [])].sort(cmp)) {
      lines.push(`${'  '.repeat(depth)}${s.name} [${s.spanType}] ${s.status.code}`);
      walk(s.spanId, depth + 1);
    }
  };
  walk(null, 0);
  return lines;
}

export const byName = (spans: readonly Span[], name: string): Span[] =>
  spans.filter((s) => s.name === name);

export const one = (spans: readonly Span[], name: string): Span => {
  const found = byName(spans, name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length}`);
  return found[0]!;
};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Two small tools for agent tests; `failing` throws. */
export const addTool = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
  name: 'add',
  description: 'Adds two numbers',
  schema: z.object({ a: z.number(), b: z.number() }),
});

export const weatherTool = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
  name: 'weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string() }),
});

export const failingTool = tool(
  async (_input: Record<string, never>): Promise<string> => {
    throw new Error('tool exploded');
  },
  { name: 'explode', description: 'Always fails', schema: z.object({}) },
);

export const inputsOf = (s: Span): unknown => s.attributes['mlflow.spanInputs'];
export const outputsOf = (s: Span): unknown => s.attributes['mlflow.spanOutputs'];
